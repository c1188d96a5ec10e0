/**
 * `bpf-uapi format`, `mounts`, `diff` and `convert` run as child processes:
 * exact output, JSON shapes and exit codes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBpfUapi } from "./cli-run.js";
import { UNSHIPPED_KERNEL } from "./support/shipped.js";

/** A mountinfo line from Linux 6.18.44 for a bpffs mounted with delegation. */
const REAL_LINE =
  "45 27 0:40 / /tmp/bpf-uapi-mnt-2Zfiwf rw,relatime - bpf nodev rw,delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp";

const MOUNTINFO = [
  "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw",
  "30 24 0:26 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:9 - bpf bpf rw,mode=700",
  REAL_LINE,
  "47 27 0:42 / /tmp/progs-only rw,relatime - bpf none rw,delegate_progs=xdp",
  "",
].join("\n");

let workDir = "";
let mountinfoFile = "";

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-cli-commands-"));
  mountinfoFile = path.join(workDir, "mountinfo");
  await writeFile(mountinfoFile, MOUNTINFO);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("bpf-uapi format", () => {
  it("prints what /proc/mounts shows", async () => {
    const result = await runBpfUapi(["format", "--cmds", "0x21", "--progs", "xdp", "--attachs", "xdp"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("delegate_cmds=map_create:prog_load,delegate_progs=xdp,delegate_attachs=xdp\n");
  });

  it("prints any and drops bits above the sentinel", async () => {
    const result = await runBpfUapi(["format", "--maps", "0xffffffffffffffff", "--progs", "0x8000000000000000"]);

    expect(result.stdout).toBe("delegate_maps=any\n");
  });

  it("prints JSON with --json", async () => {
    const result = await runBpfUapi(["format", "--cmds", "prog_run:map_create", "--kernel", "6.18.44-fc-v1252", "--json"]);

    expect(JSON.parse(result.stdout)).toEqual({
      kernel: "6.18",
      masks: { cmds: "0x401", maps: "0x0", progs: "0x0", attachs: "0x0" },
      shown: "delegate_cmds=map_create:prog_test_run",
    });
  });

  it("ORs a repeated flag", async () => {
    const result = await runBpfUapi(["format", "--cmds", "1", "--cmds", "2", "--maps", "hash", "--maps", "0x4"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("delegate_cmds=map_create:map_lookup_elem,delegate_maps=hash:array\n");
  });

  it("rejects a bad repeated value", async () => {
    const result = await runBpfUapi(["format", "--cmds", "1", "--cmds", "bogus"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('delegate_cmds: "bogus" at column 1 is not a command name or a number (EINVAL)');
  });

  it("exits 1 for a rejected value", async () => {
    const result = await runBpfUapi(["format", "--attachs", "xdp:"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bpf-uapi: error: delegate_attachs: empty name at column 5 (EINVAL) - remove the extra ":"');
  });

  it("exits 2 without a mask", async () => {
    const result = await runBpfUapi(["format"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe('bpf-uapi: error: format: no mask given - pass at least one of --cmds, --maps, --progs, --attachs, as in "--cmds 0x21"\n');
  });
});

describe("bpf-uapi mounts", () => {
  it("decodes and lints every bpffs mount", async () => {
    const result = await runBpfUapi(["mounts", "--file", mountinfoFile, "--kernel", "6.18", "--json"]);
    const output = JSON.parse(result.stdout) as {
      kernel: string;
      mounts: { mountPoint: string; mountId: number; line: number; report: { masks: Record<string, string>; shown: string; lints: { code: string }[] } }[];
    };

    expect(result.status).toBe(0);
    expect(output.kernel).toBe("6.18");
    expect(output.mounts.map((mount) => mount.mountPoint)).toEqual(["/sys/fs/bpf", "/tmp/bpf-uapi-mnt-2Zfiwf", "/tmp/progs-only"]);
    expect(output.mounts[1]?.mountId).toBe(45);
    expect(output.mounts[1]?.report.masks).toEqual({ cmds: "0x1000000021", maps: "0x6", progs: "0x40", attachs: "0x2000000000" });
    expect(output.mounts[1]?.report.shown).toBe("delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp");
    expect(output.mounts[1]?.report.lints).toEqual([]);
    expect(output.mounts[0]?.report.lints).toEqual([]);
    expect(output.mounts[2]?.report.lints.map((found) => found.code)).toEqual(["progs-without-prog-load", "progs-without-attachs"]);
  });

  it("prints each mount as text", async () => {
    const result = await runBpfUapi(["mounts", "--file", mountinfoFile, "--kernel", "6.18"]);

    expect(result.stdout).toMatch(/^3 bpffs mounts in .*mountinfo, modelled as Linux 6\.18\n/);
    expect(result.stdout).toContain("\n/tmp/bpf-uapi-mnt-2Zfiwf (mount 45, line 3, source nodev)\n");
    expect(result.stdout).toContain("    39      info      delegate_cmds     token_create  bit 36 BPF_TOKEN_CREATE\n");
    expect(result.stdout).toContain("    error  progs-without-prog-load  delegate_progs: program types are delegated");
  });

  it("lists diagnostics of a rejected mount", async () => {
    // A newer kernel shows prog_assoc_struct_ops, which Linux 6.18 rejects.
    const file = path.join(workDir, "newer-mountinfo");
    await writeFile(file, "45 27 0:40 / /tmp/newer rw,relatime - bpf nodev rw,delegate_cmds=map_create:prog_assoc_struct_ops\n");
    const result = await runBpfUapi(["mounts", "--file", file, "--kernel", "6.18", "--json"]);
    const output = JSON.parse(result.stdout) as { mounts: { error: { code: string; diagnostics: { code: string }[] } | null }[] };

    expect(result.status).toBe(1);
    expect(output.mounts[0]?.error?.code).toBe("invalid-token");
    expect(output.mounts[0]?.error?.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["mount-flag", "name", "invalid-token"]);
  });

  it("exits 1 on lints with --strict", async () => {
    const result = await runBpfUapi(["mounts", "--file", mountinfoFile, "--strict"]);

    expect(result.status).toBe(1);
  });

  it("exits 2 for a missing file", async () => {
    const missing = path.join(workDir, "absent");
    const result = await runBpfUapi(["mounts", "--file", missing]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`bpf-uapi: error: mounts: cannot read ${missing} (ENOENT) - pass a readable mountinfo or /proc/mounts file with --file\n`);
  });

  it("exits 2 for an endless file", async () => {
    const result = await runBpfUapi(["mounts", "--file", "/dev/zero"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "bpf-uapi: error: mounts: /dev/zero is larger than 16 MiB, so it is not a mount table - pass a mountinfo or /proc/mounts file with --file\n",
    );
  });

  it("exits 2 for a file without mount lines", async () => {
    const notMounts = path.join(workDir, "passwd");
    await writeFile(notMounts, "root:x:0:0:root:/root:/bin/bash\n");
    const result = await runBpfUapi(["mounts", "--file", notMounts]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `bpf-uapi: error: mounts: ${notMounts} has no mountinfo or /proc/mounts line, so it is not a mount table - pass a mountinfo or /proc/mounts file with --file\n`,
    );
  });

  it("exits 2 for a binary file", async () => {
    const binary = path.join(workDir, "zeros");
    await writeFile(binary, Buffer.alloc(64));
    const result = await runBpfUapi(["mounts", "--file", binary]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("has a NUL byte on line 1, so it is not a mount table");
  });

  it("reads an empty file", async () => {
    const empty = path.join(workDir, "empty");
    await writeFile(empty, "");
    const result = await runBpfUapi(["mounts", "--file", empty]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`no bpffs mounts in ${empty}\n`);
  });
});

describe("bpf-uapi diff", () => {
  it("lists names added between releases", async () => {
    const result = await runBpfUapi(["diff", "6.1", "6.18"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Linux 6\.1 -> 6\.18\n\ndelegate_cmds\n {2}added {4}token_create \(36\), prog_stream_read_by_fd \(37\)\n {2}removed {2}none\n {2}aliased {2}none\n/);
    expect(result.stdout).toContain(
      "  aliased  cgroup_storage = cgroup_storage_deprecated (19), percpu_cgroup_storage = percpu_cgroup_storage_deprecated (21)\n",
    );
  });

  it("prints JSON with --json", async () => {
    const result = await runBpfUapi(["diff", "6.18", "next", "--json"]);
    const output = JSON.parse(result.stdout) as { from: string; to: string; options: Record<string, { added: { name: string; bit: number }[] }> };

    expect(output.from).toBe("6.18");
    expect(output.to).toBe("next");
    expect(output.options["cmds"]?.added).toEqual([{ name: "prog_assoc_struct_ops", bit: 38 }]);
  });

  it("exits 2 for an unknown version", async () => {
    const result = await runBpfUapi(["diff", "6.18", UNSHIPPED_KERNEL]);

    expect(result.status).toBe(2);
  });
});

describe("bpf-uapi convert", () => {
  const KERNEL = "delegate_cmds=map_create:prog_load,delegate_progs=xdp";

  it("converts kernel syntax to systemd", async () => {
    const result = await runBpfUapi(["convert", KERNEL, "--to", "systemd"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("BPFDelegateCommands=BPFMapCreate,BPFProgLoad\nBPFDelegatePrograms=BPFProgTypeXdp\n");
  });

  it("converts kernel syntax to hex", async () => {
    const result = await runBpfUapi(["convert", KERNEL, "--to", "hex"]);

    expect(result.stdout).toBe("delegate_cmds=0x21,delegate_progs=0x40\n");
  });

  it("converts systemd arguments to kernel syntax", async () => {
    const result = await runBpfUapi(["convert", "BPFDelegateCommands=BPFMapCreate,BPFProgLoad", "BPFDelegatePrograms=BPFProgTypeXdp", "--to", "kernel"]);

    expect(result.stdout).toBe(`${KERNEL}\n`);
  });

  it("reads a unit file from stdin", async () => {
    const unit = "[Service]\nPrivateBPF=yes\nBPFDelegateAttachments=BPFXdp\n";
    const result = await runBpfUapi(["convert", "-", "--to", "kernel", "--json"], { stdin: unit });

    expect(JSON.parse(result.stdout)).toEqual({
      kernel: "6.18",
      from: "systemd",
      to: "kernel",
      masks: { cmds: "0x0", maps: "0x0", progs: "0x0", attachs: "0x2000000000" },
      output: "delegate_attachs=xdp",
      diagnostics: [],
    });
  });

  // Linux 6.18 mounts this input as delegate_cmds=map_create (kernel-options.test.ts checks it live).
  const SPLIT = "delegate_cmds=map_create,prog_load";
  const SPLIT_WARNING =
    'mount option "prog_load" at column 26 is a command name, but the comma after delegate_cmds=map_create hands prog_load to the kernel as a separate option, which it ignores - join names with ":" as in delegate_cmds=map_create:prog_load';

  it("prints parse warnings on stderr", async () => {
    const result = await runBpfUapi(["convert", SPLIT, "--to", "kernel"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("delegate_cmds=map_create\n");
    expect(result.stderr).toBe(`bpf-uapi: warning: ${SPLIT_WARNING}\n`);
  });

  it("lists diagnostics with --json", async () => {
    const result = await runBpfUapi(["convert", SPLIT, "--to", "kernel", "--json"]);
    const output = JSON.parse(result.stdout) as { output: string; diagnostics: { code: string; severity: string; message: string }[] };

    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(output.output).toBe("delegate_cmds=map_create");
    expect(output.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["name", "unknown-option"]);
    expect(output.diagnostics[1]?.severity).toBe("warning");
    expect(output.diagnostics[1]?.message).toBe(SPLIT_WARNING);
  });

  // Linux 6.18 shows no delegate option for bits above __MAX_BPF_CMD (kernel-options.test.ts checks it live).
  it("notes an empty result on stderr", async () => {
    const result = await runBpfUapi(["convert", "delegate_cmds=0x4000000000", "--to", "systemd"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        'bpf-uapi: warning: delegate_cmds: "0x4000000000" at column 15 sets bits 0x4000000000 at or above __MAX_BPF_CMD (38), which no command uses and /proc/mounts never shows - drop those bits, or use "any" for every command',
        "bpf-uapi: note: convert: output is empty because the input delegates nothing that Linux 6.18 keeps",
        "",
      ].join("\n"),
    );
  });

  it("notes an empty systemd result", async () => {
    const result = await runBpfUapi(["convert", "BPFDelegateCommands=", "--to", "kernel"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("bpf-uapi: note: convert: output is empty because the input delegates nothing that Linux 6.18 keeps\n");
  });

  it("rejects a warning with --strict", async () => {
    const text = await runBpfUapi(["convert", SPLIT, "--to", "kernel", "--strict"]);
    const json = await runBpfUapi(["convert", SPLIT, "--to", "kernel", "--strict", "--json"]);
    const output = JSON.parse(json.stdout) as { error: { code: string; errno: string | null; diagnostics: { code: string }[] } };

    expect(text.status).toBe(1);
    expect(text.stdout).toBe("");
    expect(text.stderr.startsWith(`bpf-uapi: error: ${SPLIT_WARNING}\n`)).toBe(true);
    expect(json.status).toBe(1);
    expect(output.error.code).toBe("unknown-option");
    expect(output.error.errno).toBeNull();
    expect(output.error.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["name", "unknown-option"]);
  });

  it("accepts clean input with --strict", async () => {
    const result = await runBpfUapi(["convert", KERNEL, "--to", "hex", "--strict"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("delegate_cmds=0x21,delegate_progs=0x40\n");
    expect(result.stderr).toBe("");
  });

  it("exits 1 for an invalid systemd name", async () => {
    const result = await runBpfUapi(["convert", "BPFDelegateMaps=BPFMapTypeHashh", "--to", "kernel", "--json"]);
    const output = JSON.parse(result.stdout) as { error: { code: string } };

    expect(result.status).toBe(1);
    expect(output.error.code).toBe("invalid-systemd-name");
  });

  it("exits 2 for a missing --to", async () => {
    const result = await runBpfUapi(["convert", KERNEL]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe("bpf-uapi: error: convert: missing --to - use --to kernel, --to hex, --to systemd\n");
  });
});
