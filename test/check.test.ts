/**
 * `npm run check`: drift between a temp copy of generated/ and what the
 * cached headers generate, the unified diff it prints, that it writes
 * nothing, and the comparison of the tables with a kernel's BTF.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { checkCommand } from "../generator/commands.js";
import { unifiedDiff } from "../generator/diff.js";
import { fillCache, openSource } from "../generator/headers.js";
import { readPins } from "../generator/pins.js";
import { runCli, type CliResult } from "./support/run.js";
import { listSharedHeaders, sharedHeadersDir, sharedHeadersSkipReason } from "./support/shared.js";

const REPOSITORY = fileURLToPath(new URL("../", import.meta.url));
const GENERATED = path.join(REPOSITORY, "generated");
const FIX_LINE = /^\d+ files? differs? from what generation writes - run: npm run generate$/m;

let workDir = "";
/** A headers dir with kernels.json and every pinned header cached. */
let headersDir = "";
/** A headers dir whose cache lacks next. */
let partialHeadersDir = "";

/**
 * Runs the check command in this process and returns its exit code and
 * output. Each CLI run took about a second on a 2-core machine, because
 * tsx compiles the generator at every start, so only a few tests spawn it.
 */
async function runCheck(args: readonly string[]): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
    stdout.push(`${parts.join(" ")}\n`);
  });
  const error = vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => {
    stderr.push(`${parts.join(" ")}\n`);
  });
  try {
    const status = await checkCommand(args);
    return { status, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Copies generated/ into a fresh directory under the work dir. */
async function copyGenerated(name: string): Promise<string> {
  const outDir = path.join(workDir, name);
  await cp(GENERATED, outDir, { recursive: true });
  return outDir;
}

/** Lists every entry below `dir` with its mtime and, for files, the sha256 of its content. */
async function fingerprint(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const { mtimeMs } = await stat(full);
    const content = entry.isFile() ? createHash("sha256").update(await readFile(full)).digest("hex") : "dir";
    lines.push(`${path.relative(dir, full)} ${mtimeMs} ${content}`);
  }
  return lines.sort();
}

async function makeHeadersDir(name: string, kernels: readonly string[]): Promise<string> {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await cp(path.join(REPOSITORY, "headers", "kernels.json"), path.join(dir, "kernels.json"));
  const pins = readPins(path.join(dir, "kernels.json")).filter((pin) => kernels.includes(pin.kernel));
  const results = await fillCache(await openSource(sharedHeadersDir() ?? ""), pins, dir);
  for (const result of results) {
    if (result.status !== "cached") throw new Error(`failed to fill the test header cache: ${result.message}`);
  }
  return dir;
}

/** Replaces the first `search` in a file and returns the 1-based line of the change. */
async function editFile(file: string, search: string, replacement: string): Promise<number> {
  const text = await readFile(file, "utf8");
  const at = text.indexOf(search);
  if (at === -1) throw new Error(`${file} does not contain ${JSON.stringify(search)}`);
  await writeFile(file, text.slice(0, at) + replacement + text.slice(at + search.length));
  return text.slice(0, at).split("\n").length;
}

/** Every pinned version, and all of them but next for a partly filled cache. */
const PINNED = readPins(path.join(REPOSITORY, "headers", "kernels.json")).map((pin) => pin.kernel);
const PARTIAL = PINNED.filter((kernel) => kernel !== "next");

const sharedReason = sharedHeadersSkipReason();
if (sharedReason !== null) console.warn(`skipping drift check tests: ${sharedReason}`);

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-check-test-"));
  if (sharedReason !== null) return;
  headersDir = await makeHeadersDir("headers", PINNED);
  partialHeadersDir = await makeHeadersDir("headers-partial", PARTIAL);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("unifiedDiff", () => {
  it("replaced line prints - then +", () => {
    const diff = unifiedDiff("a\nb\nc\n", "a\nB\nc\n", "old", "new");
    expect(diff).toBe(["--- old", "+++ new", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"].join("\n"));
  });

  it("missing final newline is marked", () => {
    const diff = unifiedDiff("a\nb\n", "a\nb", "old", "new");
    expect(diff).toBe(["--- old", "+++ new", "@@ -1,2 +1,2 @@", " a", "-b", "+b", "\\ No newline at end of file"].join("\n"));
  });

  it("empty file starts at line 0", () => {
    const diff = unifiedDiff("", "a\n", "old", "new");
    expect(diff).toBe(["--- old", "+++ new", "@@ -0,0 +1,1 @@", "+a"].join("\n"));
  });
});

describe.skipIf(sharedReason !== null)("check on a copy of generated/", () => {
  it("unchanged copy has no drift", async () => {
    const outDir = await copyGenerated("clean");
    const result = await runCli(["check", "--headers-dir", headersDir, "--out", outDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const files = (await readdir(outDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;
    const kernels = PINNED.join(", ").replaceAll(".", "\\.");
    expect(result.stdout).toMatch(new RegExp(`^no drift: ${outDir} matches the headers of kernels ${kernels} \\(${files} of ${files} files regenerated\\) in \\d+ ms\\n$`));
  });

  it("edited .ts file shows a diff", async () => {
    const outDir = await copyGenerated("edit-ts");
    const file = path.join(outDir, "v6.18", "enums.ts");
    const line = await editFile(file, "BPF_PROG_LOAD = 5,", "BPF_PROG_LOAD = 50,");
    const result = await runCli(["check", "--headers-dir", headersDir, "--out", outDir], workDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("changed: v6.18/enums.ts\n");
    expect(result.stdout).toContain(`--- ${outDir}/v6.18/enums.ts\n+++ ${outDir}/v6.18/enums.ts (regenerated)\n`);
    expect(result.stdout).toContain(`@@ -${line - 3},7 +${line - 3},7 @@\n`);
    expect(result.stdout).toMatch(/^- {2}BPF_PROG_LOAD = 50,\n\+ {2}BPF_PROG_LOAD = 5,$/m);
    expect(result.stdout).toContain("1 file differs from what generation writes - run: npm run generate\n");
  });

  it("edited .json file shows a diff", async () => {
    const outDir = await copyGenerated("edit-json");
    await editFile(path.join(outDir, "v6.1", "uapi.json"), '"BPF_PROG_LOAD"', '"BPF_PROG_LOAD_EDITED"');
    const result = await runCheck(["--headers-dir", headersDir, "--out", outDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("changed: v6.1/uapi.json\n");
    expect(result.stdout).toContain(`--- ${outDir}/v6.1/uapi.json\n+++ ${outDir}/v6.1/uapi.json (regenerated)\n`);
    expect(result.stdout).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    expect(result.stdout).toMatch(/^-.*"BPF_PROG_LOAD_EDITED"/m);
    expect(result.stdout).toMatch(/^\+.*"BPF_PROG_LOAD"/m);
    expect(result.stdout).toMatch(FIX_LINE);
  });

  it("deleted file is missing", async () => {
    const outDir = await copyGenerated("deleted");
    await unlink(path.join(outDir, "next", "tables.ts"));
    const result = await runCheck(["--headers-dir", headersDir, "--out", outDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("missing: next/tables.ts\n1 file differs from what generation writes - run: npm run generate\n");
  });

  it("extra file is not generated", async () => {
    const outDir = await copyGenerated("extra");
    await writeFile(path.join(outDir, "v6.1", "notes.txt"), "hand-written\n");
    const result = await runCheck(["--headers-dir", headersDir, "--out", outDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("not generated: v6.1/notes.txt\n1 file differs from what generation writes - run: npm run generate\n");
  });

  it("check writes nothing", async () => {
    const outDir = await copyGenerated("read-only");
    await editFile(path.join(outDir, "v6.1", "tables.ts"), "BPF_MAP_CREATE", "BPF_MAP_CREATE_EDITED");
    await unlink(path.join(outDir, "v6.18", "uapi.json"));
    await writeFile(path.join(outDir, "extra.ts"), "export {};\n");
    const outBefore = await fingerprint(outDir);
    const headersBefore = await fingerprint(headersDir);
    const workBefore = await readdir(workDir);
    const result = await runCheck(["--headers-dir", headersDir, "--out", outDir]);
    expect(result.status).toBe(1);
    expect(await fingerprint(outDir)).toEqual(outBefore);
    expect(await fingerprint(headersDir)).toEqual(headersBefore);
    expect(await readdir(workDir)).toEqual(workBefore);
  });

  it("--require-all fails on an uncached pin", async () => {
    const outDir = await copyGenerated("require-all");
    const result = await runCheck(["--headers-dir", partialHeadersDir, "--out", outDir, "--require-all"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("not checked: next: header not cached (headers/cache/next/bpf.h) - fill it with npm run headers -- --from DIR\n");
    expect(result.stdout).toBe("");
  });

  it("uncached pin is skipped without --require-all", async () => {
    const outDir = await copyGenerated("partial");
    const result = await runCheck(["--headers-dir", partialHeadersDir, "--out", outDir]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("not checked: next: header not cached");
    expect(result.stdout.startsWith("no drift: ")).toBe(true);
    expect(result.stdout).toContain(` matches the headers of kernels ${PARTIAL.join(", ")} `);
  });
});

const SYSTEM_HEADER = "/usr/include/linux/bpf.h";
const PINNED_6_1 = "5ea87d85e03e9973b35ac7d4074001ea0ced49e6b450bc0552741d6dcb21f4df";
const systemSha256 = existsSync(SYSTEM_HEADER) ? createHash("sha256").update(readFileSync(SYSTEM_HEADER)).digest("hex") : null;
const systemReason =
  systemSha256 === null
    ? `${SYSTEM_HEADER} is absent`
    : systemSha256 !== PINNED_6_1
      ? `${SYSTEM_HEADER} is not the pinned 6.1 header (sha256 ${systemSha256})`
      : null;
if (systemReason !== null) console.warn(`skipping the empty-cache check: ${systemReason}`);

describe.skipIf(systemReason !== null || sharedReason !== null)("check with an empty header cache", () => {
  it("lists the versions it cannot check", async () => {
    const outDir = await copyGenerated("empty-cache");
    const emptyHeadersDir = await makeHeadersDir("headers-empty", []);
    await editFile(path.join(outDir, "v6.18", "tables.ts"), "map_create: 0,", "map_create: 7,");

    const result = await runCheck(["--headers-dir", emptyHeadersDir, "--out", outDir]);

    expect(result.status).toBe(0);
    const unmatched = readPins(path.join(REPOSITORY, "headers", "kernels.json")).filter((pin) => pin.sha256 !== PINNED_6_1);
    expect(result.stderr).toBe(
      unmatched
        .map((pin) => `not checked: ${pin.kernel}: header not cached (headers/cache/${pin.kernel}/${pin.file}) - fill it with npm run headers -- --from DIR\n`)
        .join(""),
    );
    expect(result.stdout).toMatch(/^no drift: .* matches the headers of kernels 6\.1 /);
  });
});

describe.skipIf(systemReason !== null || sharedReason !== null)("check with no pinned versions", () => {
  it("lists generated versions it cannot check", async () => {
    const outDir = await copyGenerated("no-pins");
    const noPinsDir = path.join(workDir, "headers-no-pins");
    await mkdir(noPinsDir, { recursive: true });
    await writeFile(path.join(noPinsDir, "kernels.json"), JSON.stringify({ kernels: [] }));

    const result = await runCheck(["--headers-dir", noPinsDir, "--out", outDir]);
    const strict = await runCheck(["--headers-dir", noPinsDir, "--out", outDir, "--require-all"]);

    const unchecked = PINNED.filter((kernel) => kernel !== "6.1");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      unchecked.map((kernel) => `not checked: ${kernel}: no pinned header in headers/kernels.json, so its files are kept as they are\n`).join(""),
    );
    expect(strict.status).toBe(1);
  });
});

const BTF_PATH = "/sys/kernel/btf/vmlinux";
const runningRelease = os.release();
const runningBtfReason = !existsSync(BTF_PATH)
  ? `${BTF_PATH} is absent (kernel built without CONFIG_DEBUG_INFO_BTF)`
  : !runningRelease.startsWith("6.18.")
    ? `the running kernel is ${runningRelease}, and the shipped BTF tables are for 6.18`
    : null;
if (runningBtfReason !== null) console.warn(`skipping check --btf on the running kernel: ${runningBtfReason}`);

describe.skipIf(runningBtfReason !== null)("check --btf on the running kernel", () => {
  it("running 6.18 matches the 6.18 tables", async () => {
    const outDir = await copyGenerated("btf-running");
    const result = await runCli(["check", "--btf", BTF_PATH, "--kernel", "6.18", "--out", outDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`no drift: the delegate enums in ${BTF_PATH} match the 6.18 tables\n`);
  });
});

const sharedBtf = listSharedHeaders().find((header) => header.id === "linux-6.18.44-btf" && header.file.endsWith(".h"));
const sharedBtfPath = sharedBtf === undefined ? null : path.join(path.dirname(sharedBtf.file), "vmlinux.btf");

describe.skipIf(sharedBtfPath === null)("check --btf on the shared 6.18.44 BTF", () => {
  const btfPath = sharedBtfPath ?? "";

  it("6.18 tables match", async () => {
    const outDir = await copyGenerated("btf-6.18");
    const result = await runCheck(["--btf", btfPath, "--kernel", "6.18", "--out", outDir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`no drift: the delegate enums in ${btfPath} match the 6.18 tables\n`);
  });

  it("6.1 tables report findings", async () => {
    const outDir = await copyGenerated("btf-6.1");
    const model = `${outDir}/v6.1/uapi.json`;
    const result = await runCheck(["--btf", btfPath, "--kernel", "6.1", "--out", outDir]);
    const lines = result.stdout.split("\n");
    const missingHint = "the kernel accepts a name the tables lack, so generate the tables from the bpf.h of the kernel that produced the BTF";
    expect(result.status).toBe(1);
    expect(lines).toContain(`enum bpf_cmd: BPF_TOKEN_CREATE = 36 is in ${btfPath} but missing from ${model} - ${missingHint}`);
    expect(lines).toContain(`enum bpf_map_type: BPF_MAP_TYPE_ARENA = 33 is in ${btfPath} but missing from ${model} - ${missingHint}`);
    expect(lines).toContain(`enum bpf_prog_type: BPF_PROG_TYPE_NETFILTER = 32 is in ${btfPath} but missing from ${model} - ${missingHint}`);
    expect(lines).toContain(
      `enum bpf_attach_type: __MAX_BPF_ATTACH_TYPE is 44 in ${model} but 58 in ${btfPath} - the kernel uses the BTF value, so generate the tables from the bpf.h of the kernel that produced the BTF`,
    );
    expect(lines).toContain(`25 differences between ${btfPath} and the 6.1 tables - regenerate 6.1 from this kernel's header`);
  });
});
