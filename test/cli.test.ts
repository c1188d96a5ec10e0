/**
 * The `generate` command run as a child process in a temporary directory:
 * exit codes, the exact output and what it leaves on disk.
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { USAGE } from "../generator/commands.js";
import { runCli } from "./support/run.js";
import { listSharedHeaders, sharedHeadersSkipReason } from "./support/shared.js";
import { fileIdentities } from "./support/files.js";

const DEBIAN_6_1 = "debian-linux-libc-dev-6.1.187";
const debianHeader = listSharedHeaders().find((header) => header.id === DEBIAN_6_1);
const debianReason = sharedHeadersSkipReason() ?? (debianHeader === undefined ? `${DEBIAN_6_1} is not in the shared headers manifest` : null);
if (debianReason !== null) console.warn(`skipping the CLI run on a real header: ${debianReason}`);

const GENERATE_USAGE = USAGE["generate"] ?? "";

/** The four enums every bpf.h must define, with one enumerator each. */
const OTHER_ENUMS = [
  "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC };",
  "enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC };",
  "enum bpf_attach_type { BPF_CGROUP_INET_INGRESS };",
];

/** A header that defines all five enums, indented with tabs as bpf.h is. */
const VALID_HEADER = [
  "enum bpf_cmd {",
  "\tBPF_MAP_CREATE,",
  "\tBPF_MAP_LOOKUP_ELEM,",
  "};",
  ...OTHER_ENUMS,
  "enum bpf_link_type { BPF_LINK_TYPE_UNSPEC };",
  "",
].join("\n");

/** A header whose bpf_cmd uses an identifier that nothing defines, on line 4. */
const UNDEFINED_IDENTIFIER_HEADER = [
  "/* bpf_cmd with a typo */",
  "enum bpf_cmd {",
  "\tBPF_MAP_CREATE,",
  "\tBPF_PROG_LOAD = BPF_NO_SUCH_COMMAND + 1,",
  "};",
  ...OTHER_ENUMS,
  "",
].join("\n");

const UNDEFINED_IDENTIFIER_LINE = "\tBPF_PROG_LOAD = BPF_NO_SUCH_COMMAND + 1,";

let workDir = "";

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-cli-test-"));
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function writeHeader(name: string, text: string): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(file, text);
  return file;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}


/** Expands tabs to 8-column stops, as a terminal shows them. */
function expandTabs(line: string): string {
  let expanded = "";
  for (const char of line) {
    expanded += char === "\t" ? " ".repeat(8 - (expanded.length % 8)) : char;
  }
  return expanded;
}

describe("cli generate", () => {
  it.skipIf(debianReason !== null)("prints one summary line", async () => {
    const header = debianHeader?.file ?? "";

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);
    const files = await readdir(path.join(workDir, "out"), { recursive: true, withFileTypes: true });
    const fileCount = files.filter((entry) => entry.isFile()).length;

    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      new RegExp(`^generated 5 enums for kernel 6\\.1 from ${escapeRegExp(header)} into out/v6\\.1 in \\d+ ms \\(\\d+ files written, 0 removed\\)\\n$`),
    );
    expect(result.stdout).toContain(`(${fileCount} files written, 0 removed)`);
  });

  it("--header without --kernel exits 2", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--out", "out"], workDir);

    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `error: --header needs --kernel X.Y - name the kernel version the header comes from\n\n${GENERATE_USAGE}\n`,
    );
    expect(await readdir(workDir)).toEqual(["bpf.h"]);
  });

  it("missing enum bpf_cmd exits 1", async () => {
    const header = await writeHeader("no-cmd.h", `${OTHER_ENUMS.join("\n")}\n`);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);

    // No line of the file is at fault, so the error is located at line 1.
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `${header}:1:1: enum bpf_cmd: not found - the header must define it (is this include/uapi/linux/bpf.h?)\n1 error\n`,
    );
  });

  it("undefined identifier exits 1", async () => {
    const header = await writeHeader("typo.h", UNDEFINED_IDENTIFIER_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);
    const lines = result.stderr.split("\n");

    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(lines[0]).toBe(
      `${header}:4:18: enum bpf_cmd: BPF_PROG_LOAD: undefined identifier BPF_NO_SUCH_COMMAND - it is neither an earlier enumerator nor a macro defined in this header`,
    );
    expect(lines[1]).toBe(`    ${UNDEFINED_IDENTIFIER_LINE}`);
    expect(lines.slice(3)).toEqual(["1 error", ""]);
    expect(await readdir(workDir)).toEqual(["typo.h"]);
  });

  it("caret lines up after tabs", async () => {
    const header = await writeHeader("typo.h", UNDEFINED_IDENTIFIER_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);
    const [, sourceLine = "", caretLine = ""] = result.stderr.split("\n");

    expect(expandTabs(caretLine).indexOf("^")).toBe(expandTabs(sourceLine).indexOf("BPF_NO_SUCH_COMMAND"));
  });

  it("failed run leaves output untouched", async () => {
    const good = await writeHeader("bpf.h", VALID_HEADER);
    const bad = await writeHeader("typo.h", UNDEFINED_IDENTIFIER_HEADER);
    const outDir = path.join(workDir, "out");
    const first = await runCli(["generate", "--header", good, "--kernel", "6.1", "--out", "out"], workDir);
    const before = await fileIdentities(outDir);

    const second = await runCli(["generate", "--header", bad, "--kernel", "6.1", "--out", "out"], workDir);

    expect(first.status).toBe(0);
    expect(second.status).toBe(1);
    expect(await fileIdentities(outDir)).toEqual(before);
    expect((await readdir(workDir)).sort()).toEqual(["bpf.h", "out", "typo.h"]);
  });

  it("--help exits 0", async () => {
    const result = await runCli(["generate", "--help"], workDir);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${GENERATE_USAGE}\n`);
  });
});

describe("generate output directory", () => {
  it("rejects an --out that is a file", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    await writeFile(path.join(workDir, "afile"), "x");

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "afile"], workDir);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: ${path.join(workDir, "afile")} is not a directory - pass a directory with --out\n`);
  });

  it("rejects an --out under a file", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    await writeFile(path.join(workDir, "afile"), "x");
    const outDir = path.join(workDir, "afile", "sub");

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", outDir], workDir);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: cannot write ${outDir}: a parent of it is a file (EEXIST) - pass a directory with --out\n`);
  });

  it("fails fast under /proc", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "/proc/self/bpf-uapi"], workDir, 15_000);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot write \/proc\/self\/bpf-uapi: E[A-Z]+ - check that its parent directory is writable\n$/);
  });

  it("keeps the permission bits of --out", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    const outDir = path.join(workDir, "out");
    await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);
    await chmod(outDir, 0o750);
    await writeFile(header, VALID_HEADER.replace("BPF_MAP_LOOKUP_ELEM", "BPF_MAP_LOOKUP_ELEM,\n\tBPF_MAP_UPDATE_ELEM"));

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);

    expect(result.status).toBe(0);
    expect((await stat(outDir)).mode & 0o7777).toBe(0o750);
  });
});

describe("generate arguments", () => {
  it("rejects a -D name that is not an identifier", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "-D", "0=1"], workDir);

    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('error: invalid -D "0=1" - use -D NAME or -D NAME=VALUE with NAME a C identifier');
  });

  it("rejects a kernel part of four digits", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1000"], workDir);

    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('error: invalid kernel version "6.1000" - use MAJOR.MINOR such as 6.18, or next');
  });

  it("prints no usage for a missing header", async () => {
    const result = await runCli(["generate", "--header", "nothing.h", "--kernel", "6.1"], workDir);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `error: cannot read header ${path.join(workDir, "nothing.h")} (ENOENT) - pass an existing bpf.h with --header\n`,
    );
  });
});

describe("generate --import-from", () => {
  it("imports the runtime from the package", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out", "--import-from", "bpf-uapi"], workDir);
    const tables = await readFile(path.join(workDir, "out", "v6.1", "tables.ts"), "utf8");
    const registry = await readFile(path.join(workDir, "out", "index.ts"), "utf8");

    expect(result.status).toBe(0);
    expect(tables).toContain('import { nullPrototype, type KernelTables } from "bpf-uapi";\n');
    expect(registry).toContain('import type { KernelTables } from "bpf-uapi";\n');
  });

  it("rejects a module that is not a package name", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--import-from", '../x";'], workDir);

    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('error: invalid --import-from "../x";" - name a package such as bpf-uapi');
  });
});

describe("generate locking and links", () => {
  it("fails while another run holds the lock", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    await writeFile(path.join(workDir, ".out.bpf-uapi-lock"), `${process.pid}\n`);

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: another generate run (pid ${process.pid}) is writing ${path.join(workDir, "out")} - wait for it to finish\n`);
    expect(await readdir(workDir)).not.toContain("out");
  });

  it("takes over the lock of an ended run", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    // A pid above the kernel's pid_max (4194304 at most) cannot belong to a running process.
    await writeFile(path.join(workDir, ".out.bpf-uapi-lock"), "4194305\n");

    const result = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "out"], workDir);

    expect(result.status).toBe(0);
    expect((await readdir(workDir)).sort()).toEqual(["bpf.h", "out"]);
  });

  it("writes through a symbolic link", async () => {
    const header = await writeHeader("bpf.h", VALID_HEADER);
    await mkdir(path.join(workDir, "real"));
    await symlink("real", path.join(workDir, "link"));

    const first = await runCli(["generate", "--header", header, "--kernel", "6.1", "--out", "link"], workDir);
    const second = await runCli(["generate", "--header", header, "--kernel", "6.18", "--out", "link"], workDir);

    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect((await lstat(path.join(workDir, "link"))).isSymbolicLink()).toBe(true);
    expect((await readdir(path.join(workDir, "real"))).sort()).toEqual(["history.json", "history.ts", "index.ts", "v6.1", "v6.18"]);
  });
});
