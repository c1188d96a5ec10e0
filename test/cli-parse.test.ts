/**
 * `bpf-uapi parse` run as a child process: exact text and JSON output, exit
 * codes, error output, colour and help.
 */
import { describe, expect, it } from "vitest";
import { runBpfUapi } from "./cli-run.js";
import { SHIPPED_LIST, UNSHIPPED_KERNEL } from "./support/shipped.js";

const CMDS_ONLY = "delegate_cmds=map_create:prog_load";

describe("bpf-uapi parse", () => {
  it("prints tokens, masks, shown text and lints", async () => {
    const result = await runBpfUapi(["parse", CMDS_ONLY]);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "  COLUMN  SEVERITY  OPTION         TOKEN       MEANING",
        "  15      info      delegate_cmds  map_create  bit 0 BPF_MAP_CREATE",
        "  26      info      delegate_cmds  prog_load   bit 5 BPF_PROG_LOAD",
        "",
        "masks",
        "  cmds     0x21",
        "  maps     0x0",
        "  progs    0x0",
        "  attachs  0x0",
        "",
        "/proc/mounts on Linux 6.18 shows",
        "  delegate_cmds=map_create:prog_load",
        "",
        "lints",
        "  none",
        "",
      ].join("\n"),
    );
  });

  it("prints one JSON object with --json", async () => {
    const result = await runBpfUapi(["parse", CMDS_ONLY, "--json"]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;

    expect(result.status).toBe(0);
    expect(Object.keys(output)).toEqual(["kernel", "masks", "shown", "diagnostics", "lints"]);
    expect(output["kernel"]).toBe("6.18");
    expect(output["masks"]).toEqual({ cmds: "0x21", maps: "0x0", progs: "0x0", attachs: "0x0" });
    expect(output["shown"]).toBe(CMDS_ONLY);
    expect(output["lints"]).toEqual([]);
    expect(output["diagnostics"]).toEqual([
      {
        severity: "info",
        code: "name",
        option: "delegate_cmds",
        token: "map_create",
        position: 15,
        name: "map_create",
        bit: 0,
        cName: "BPF_MAP_CREATE",
        alias: null,
        bits: "0x1",
        message: 'delegate_cmds: "map_create" at column 15 sets bit 0 (BPF_MAP_CREATE)',
      },
      {
        severity: "info",
        code: "name",
        option: "delegate_cmds",
        token: "prog_load",
        position: 26,
        name: "prog_load",
        bit: 5,
        cName: "BPF_PROG_LOAD",
        alias: null,
        bits: "0x20",
        message: 'delegate_cmds: "prog_load" at column 26 sets bit 5 (BPF_PROG_LOAD)',
      },
    ]);
  });

  it("explains an alias and shows its first name", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=prog_run", "--json"]);
    const output = JSON.parse(result.stdout) as { shown: string; diagnostics: { name: string; alias: string; bit: number }[] };

    expect(output.shown).toBe("delegate_cmds=prog_test_run");
    expect(output.diagnostics[0]?.name).toBe("prog_run");
    expect(output.diagnostics[0]?.alias).toBe("prog_test_run");
    expect(output.diagnostics[0]?.bit).toBe(10);
  });

  it("prints shown as empty for no delegation", async () => {
    const result = await runBpfUapi(["parse", "rw", "--json"]);
    const output = JSON.parse(result.stdout) as { shown: string; lints: { code: string }[] };

    expect(result.status).toBe(0);
    expect(output.shown).toBe("");
    expect(output.lints.map((found) => found.code)).toEqual(["empty-delegation"]);
  });

  it("rejects an invalid name with exit 1", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=map_creat", "--json"]);

    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message: 'delegate_cmds: "map_creat" at column 15 is not a command name or a number (EINVAL) - did you mean "map_create"?',
        code: "invalid-token",
        option: "delegate_cmds",
        token: "map_creat",
        position: 15,
        errno: "EINVAL",
        diagnostics: [
          {
            severity: "error",
            code: "invalid-token",
            option: "delegate_cmds",
            token: "map_creat",
            position: 15,
            name: null,
            bit: null,
            cName: null,
            alias: null,
            bits: null,
            message: 'delegate_cmds: "map_creat" at column 15 is not a command name or a number (EINVAL) - did you mean "map_create"?',
          },
        ],
      },
    });
  });

  it("lists diagnostics before a rejection with --json", async () => {
    // mount(2) passes 4095 bytes, so the kernel cuts this input inside its last token and rejects the rest.
    const input = `rw,delegate_cmds=map_create,delegate_maps=${"x".repeat(5000)}`;
    const result = await runBpfUapi(["parse", input, "--json"]);
    const output = JSON.parse(result.stdout) as { error: { code: string; diagnostics: { code: string; severity: string; name: string | null }[] } };

    expect(result.status).toBe(1);
    expect(output.error.code).toBe("invalid-token");
    expect(output.error.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["truncated-input", "mount-flag", "name", "invalid-token"]);
    expect(output.error.diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(["warning", "info", "info", "error"]);
    expect(output.error.diagnostics[2]?.name).toBe("map_create");
  });

  it("underlines the rejected token on stderr", async () => {
    const result = await runBpfUapi(["parse", "rw,delegate_maps=hashh"]);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        'bpf-uapi: error: delegate_maps: "hashh" at column 18 is not a map type name or a number (EINVAL) - did you mean "hash"?',
        "  rw,delegate_maps=hashh",
        "                   ^^^^^",
        "",
      ].join("\n"),
    );
  });

  it("shows an excerpt of a long input", async () => {
    const input = `${"a".repeat(100)},delegate_cmds=xx,${"b".repeat(100)}`;
    const result = await runBpfUapi(["parse", input]);
    const [, excerpt, carets] = result.stderr.split("\n");

    expect(result.status).toBe(1);
    expect(excerpt).toBe(`  ...${"a".repeat(45)},delegate_cmds=xx,${"b".repeat(57)}...`);
    expect(carets).toBe(`  ${" ".repeat(63)}^^`);
  });

  it("keeps surrogate pairs whole in an excerpt", async () => {
    // The excerpt would start at index 35, the second half of the 18th emoji.
    const input = `${"\u{1F600}".repeat(40)},delegate_cmds=xx`;
    const result = await runBpfUapi(["parse", input]);
    const [, excerpt] = result.stderr.split("\n");

    expect(result.status).toBe(1);
    expect(excerpt).toBe(`  ...${"\u{1F600}".repeat(22)},delegate_cmds=xx`);
  });

  it("bounds the excerpt of a 110 KB input", async () => {
    const input = `delegate_cmds=${"x".repeat(110_000)}`;
    const result = await runBpfUapi(["parse", input]);
    const [message = "", excerpt, carets, end] = result.stderr.split("\n");

    expect(result.status).toBe(1);
    expect(message.length).toBeLessThan(400);
    expect(excerpt).toBe(`  delegate_cmds=${"x".repeat(60)}...`);
    expect(carets).toBe(`  ${" ".repeat(14)}${"^".repeat(60)}`);
    expect(end).toBe("");
  });

  it("reports a number above 2^64-1 as ERANGE", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=0x10000000000000000", "--json"]);
    const output = JSON.parse(result.stdout) as { error: { errno: string } };

    expect(result.status).toBe(1);
    expect(output.error.errno).toBe("ERANGE");
  });

  it("exits 1 on lints only with --strict", async () => {
    const options = "delegate_cmds=map_create,delegate_progs=xdp";
    const lenient = await runBpfUapi(["parse", options]);
    const strict = await runBpfUapi(["parse", options, "--strict", "--json"]);
    const output = JSON.parse(strict.stdout) as { lints: { code: string; severity: string }[] };

    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toContain("error  progs-without-prog-load");
    expect(strict.status).toBe(1);
    expect(output.lints.map((found) => found.code)).toEqual(["progs-without-prog-load", "progs-without-attachs"]);
  });

  it("rejects a warning token with --strict", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=010", "--strict", "--json"]);
    const output = JSON.parse(result.stdout) as { error: { code: string; errno: string | null } };

    expect(result.status).toBe(1);
    expect(output.error.code).toBe("octal-number");
    expect(output.error.errno).toBeNull();
  });

  it("models an older kernel with --kernel", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=token_create", "--kernel", "6.1", "--json"]);
    const output = JSON.parse(result.stdout) as { kernel: string; diagnostics: { code: string }[] };

    expect(result.status).toBe(0);
    expect(output.kernel).toBe("6.1");
    expect(output.diagnostics[0]?.code).toBe("no-delegation");
  });

  it("exits 2 for an unknown kernel", async () => {
    const result = await runBpfUapi(["parse", CMDS_ONLY, "--kernel", UNSHIPPED_KERNEL]);

    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(`bpf-uapi: error: kernel "${UNSHIPPED_KERNEL}": no tables are shipped for it (shipped: ${SHIPPED_LIST})`)).toBe(true);
  });

  it("exits 2 for usage errors", async () => {
    const unknownOption = await runBpfUapi(["parse", CMDS_ONLY, "--bogus"]);
    const missing = await runBpfUapi(["parse"]);
    const extra = await runBpfUapi(["parse", "a", "b"]);

    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toBe('bpf-uapi: error: parse: unknown option --bogus - run "bpf-uapi parse --help" for usage\n');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('bpf-uapi: error: parse: missing OPTIONS - run "bpf-uapi parse --help" for usage\n');
    expect(extra.status).toBe(2);
    expect(extra.stderr).toBe('bpf-uapi: error: parse: unexpected argument "b" - run "bpf-uapi parse --help" for usage\n');
  });

  it("prints usage errors as JSON with --json", async () => {
    const result = await runBpfUapi(["parse", "--json"]);
    const output = JSON.parse(result.stdout) as { error: { code: string; message: string } };

    expect(result.status).toBe(2);
    expect(output.error.code).toBe("usage");
    expect(output.error.message).toBe('parse: missing OPTIONS - run "bpf-uapi parse --help" for usage');
  });
});

describe("bpf-uapi colour", () => {
  it("colours with FORCE_COLOR", async () => {
    const result = await runBpfUapi(["parse", CMDS_ONLY], { env: { FORCE_COLOR: "1" } });

    expect(result.stdout).toContain("\x1b[1mmasks\x1b[0m");
  });

  it("never colours with NO_COLOR", async () => {
    const result = await runBpfUapi(["parse", CMDS_ONLY], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });

    expect(result.stdout).not.toContain("\x1b[");
  });

  it("does not colour a pipe", async () => {
    const result = await runBpfUapi(["parse", "delegate_cmds=nope"]);

    expect(result.stderr).not.toContain("\x1b[");
  });
});

describe("bpf-uapi help and version", () => {
  it("prints top-level help", async () => {
    const result = await runBpfUapi(["--help"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: bpf-uapi COMMAND \[options\]/);
    for (const command of ["parse", "format", "mounts", "diff", "convert"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    expect(result.stdout).toContain("errno, and diagnostics: for rejected");
  });

  it("exits 2 without a command", async () => {
    const result = await runBpfUapi([]);

    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^Usage: bpf-uapi COMMAND/);
  });

  it("prints each command's help with an example", async () => {
    for (const command of ["parse", "format", "mounts", "diff", "convert"]) {
      const result = await runBpfUapi([command, "--help"]);

      expect(result.status, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage: bpf-uapi ${command} `));
      expect(result.stdout, command).toMatch(/\nExample:\n {2}\$ bpf-uapi /);
    }
  });

  it("suggests a command for a typo", async () => {
    const result = await runBpfUapi(["pars", "x"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe('bpf-uapi: error: "pars" is not a bpf-uapi command - did you mean "parse"?\n');
  });

  it("prints the package version", async () => {
    const result = await runBpfUapi(["--version"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("bpf-uapi 0.1.0\n");
  });
});
