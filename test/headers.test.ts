/**
 * `npm run headers`: filling a temp header cache (`--headers-dir`) from the
 * shared manifest folder, one file, a local git tree and a loopback HTTP
 * server, and rejecting mismatched hashes, unsafe pins and unknown versions
 * without writing anything.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPins } from "../generator/pins.js";
import { runCli } from "./support/run.js";
import { sharedHeadersDir, sharedHeadersSkipReason } from "./support/shared.js";

const KERNELS_JSON = fileURLToPath(new URL("../headers/kernels.json", import.meta.url));

/** The shipped pins, as headers/kernels.json lists them. */
const SHIPPED = {
  "6.1": { file: "bpf.h", sha256: "5ea87d85e03e9973b35ac7d4074001ea0ced49e6b450bc0552741d6dcb21f4df" },
  "6.18": { file: "vmlinux.h", sha256: "092095d9ba5338c2bc630e0717ac5b2154be2c136f94d0f7a1f31097793e5206" },
  next: { file: "bpf.h", sha256: "7074f8a1af29261da66531b00142d299a99edf61db6c6fbaf7c38c1aca36e7ce" },
} as const;

/** A small stand-in for a release's bpf.h, served by the git tree and the HTTP server. */
const TAGGED_HEADER = "/* bpf.h at tag v6.1 */\nenum bpf_cmd { BPF_MAP_CREATE, __MAX_BPF_CMD };\n";
const HEAD_HEADER = "/* bpf.h after tag v6.1 */\nenum bpf_cmd { BPF_MAP_CREATE, BPF_TOKEN_CREATE, __MAX_BPF_CMD };\n";
const WRONG_SHA256 = "0".repeat(64);

let workDir = "";
let gitTree = "";
let server: Server | null = null;
let baseUrl = "";
const requests: string[] = [];

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Creates a headers dir inside its own parent, so tests can see writes beside it. */
async function makeHeadersDir(name: string, kernelsJson: string | null = null): Promise<string> {
  const dir = path.join(workDir, name, "headers");
  await mkdir(dir, { recursive: true });
  if (kernelsJson === null) await copyFile(KERNELS_JSON, path.join(dir, "kernels.json"));
  else await writeFile(path.join(dir, "kernels.json"), kernelsJson);
  return dir;
}

/** Returns a kernels.json that pins one 6.1 bpf.h, with `extra` fields merged into the entry. */
function pinOne(sha256Hex: string, extra: Record<string, unknown> = {}): string {
  const entry = { kernel: "6.1", file: "bpf.h", sha256: sha256Hex, origin: "test header", ...extra };
  return JSON.stringify({ kernels: [entry] });
}

/** Lists every file and directory below `dir` with its size, sorted. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines: string[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    const kind = entry.isDirectory() ? "dir" : `${(await readFile(full)).length} bytes`;
    lines.push(`${path.relative(dir, full)} ${kind}`);
  }
  return lines.sort();
}

function git(args: readonly string[]): void {
  execFileSync("git", ["-c", "user.name=bpf-uapi test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", ...args], {
    cwd: gitTree,
    stdio: "ignore",
  });
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-headers-test-"));

  // A Linux-like tree: v6.1 tags TAGGED_HEADER, and HEAD has moved on since.
  gitTree = path.join(workDir, "linux");
  await mkdir(path.join(gitTree, "include", "uapi", "linux"), { recursive: true });
  const headerInTree = path.join(gitTree, "include", "uapi", "linux", "bpf.h");
  git(["init", "--quiet"]);
  await writeFile(headerInTree, TAGGED_HEADER);
  git(["add", "include/uapi/linux/bpf.h"]);
  git(["commit", "--quiet", "-m", "bpf.h for v6.1"]);
  git(["tag", "v6.1"]);
  await writeFile(headerInTree, HEAD_HEADER);
  git(["commit", "--quiet", "-a", "-m", "bpf.h after v6.1"]);

  // Serves TAGGED_HEADER as a plain file and as a cgit raw file at tag v6.1.
  server = createServer((request, response) => {
    const url = request.url ?? "";
    requests.push(url);
    if (url === "/files/bpf.h" || url === "/linux.git/plain/include/uapi/linux/bpf.h?h=v6.1") {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(TAGGED_HEADER);
      return;
    }
    response.writeHead(404);
    response.end("not found");
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
});

afterAll(async () => {
  const listening = server;
  if (listening !== null) await new Promise<void>((resolve) => listening.close(() => resolve()));
  await rm(workDir, { recursive: true, force: true });
});

const sharedReason = sharedHeadersSkipReason();
if (sharedReason !== null) console.warn(`skipping header cache tests on the shared headers: ${sharedReason}`);

describe.skipIf(sharedReason !== null)("headers from shared headers", () => {
  it("manifest folder caches every pin", async () => {
    const headersDir = await makeHeadersDir("manifest");
    const result = await runCli(["headers", "--from", sharedHeadersDir() ?? "", "--headers-dir", headersDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const [kernel, pin] of Object.entries(SHIPPED)) {
      const cached = path.join(headersDir, "cache", kernel, pin.file);
      expect(sha256(await readFile(cached)), cached).toBe(pin.sha256);
      expect(result.stdout).toContain(`${kernel}: cached headers/cache/${kernel}/${pin.file} from `);
    }
  });

  it("second fill reports already cached", async () => {
    const headersDir = await makeHeadersDir("manifest-again");
    const from = sharedHeadersDir() ?? "";
    await runCli(["headers", "--from", from, "--headers-dir", headersDir, "6.1"], workDir);
    const result = await runCli(["headers", "--from", from, "--headers-dir", headersDir, "6.1"], workDir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("6.1: already cached headers/cache/6.1/bpf.h from ");
  });

  it("one file caches its pin only", async () => {
    const headersDir = await makeHeadersDir("file");
    const file = path.join(sharedHeadersDir() ?? "", "libbpf-main-2026-07-30", "bpf.h");
    const result = await runCli(["headers", "--from", file, "--headers-dir", headersDir], workDir);
    expect(result.status).toBe(0);
    expect(sha256(await readFile(path.join(headersDir, "cache", "next", "bpf.h")))).toBe(SHIPPED.next.sha256);
    expect(result.stdout).toContain(`6.1: not taken - ${file} has sha256 ${SHIPPED.next.sha256}, not the pinned ${SHIPPED["6.1"].sha256}`);
    expect(existsSync(path.join(headersDir, "cache", "6.1"))).toBe(false);
    expect(existsSync(path.join(headersDir, "cache", "6.18"))).toBe(false);
  });

  it("file matching no pin fails", async () => {
    const headersDir = await makeHeadersDir("file-none");
    const file = path.join(workDir, "empty.h");
    await writeFile(file, "");
    const result = await runCli(["headers", "--from", file, "--headers-dir", headersDir], workDir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`no pinned header found in ${file}\n`);
    expect(existsSync(path.join(headersDir, "cache"))).toBe(false);
  });

  it("one file for another version fails", async () => {
    const headersDir = await makeHeadersDir("file-other");
    const file = path.join(sharedHeadersDir() ?? "", "libbpf-main-2026-07-30", "bpf.h");
    const result = await runCli(["headers", "--from", file, "--headers-dir", headersDir, "6.1"], workDir);
    expect(result.status).toBe(1);
    expect(existsSync(path.join(headersDir, "cache"))).toBe(false);
  });
});

describe("headers from a git tree", () => {
  it("tag v6.1 is cached", async () => {
    const headersDir = await makeHeadersDir("git", pinOne(sha256(TAGGED_HEADER)));
    const result = await runCli(["headers", "--from", gitTree, "--headers-dir", headersDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`6.1: cached headers/cache/6.1/bpf.h from ${gitTree} at v6.1\n`);
    expect(await readFile(path.join(headersDir, "cache", "6.1", "bpf.h"), "utf8")).toBe(TAGGED_HEADER);
  });

  it("mismatched pin writes nothing", async () => {
    const headersDir = await makeHeadersDir("git-mismatch", pinOne(WRONG_SHA256));
    const result = await runCli(["headers", "--from", gitTree, "--headers-dir", headersDir], workDir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `6.1: sha256 mismatch for ${gitTree} at v6.1: got ${sha256(TAGGED_HEADER)}, headers/kernels.json pins ${WRONG_SHA256} (test header) - nothing was written\n`,
    );
    expect(existsSync(path.join(headersDir, "cache"))).toBe(false);
  });

  it("missing tag is not taken", async () => {
    const headersDir = await makeHeadersDir("git-no-tag", pinOne(sha256(TAGGED_HEADER), { gitTag: "v6.1-rc1" }));
    const result = await runCli(["headers", "--from", gitTree, "--headers-dir", headersDir, "6.1"], workDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`6.1: not taken - git show v6.1-rc1:include/uapi/linux/bpf.h failed in ${gitTree}\n`);
  });
});

describe("headers over loopback HTTP", () => {
  it("pin url is cached", async () => {
    const url = `${baseUrl}/files/bpf.h`;
    const headersDir = await makeHeadersDir("web", pinOne(sha256(TAGGED_HEADER), { url }));
    const result = await runCli(["headers", "--from", "web", "--headers-dir", headersDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`6.1: cached headers/cache/6.1/bpf.h from ${url}\n`);
    expect(await readFile(path.join(headersDir, "cache", "6.1", "bpf.h"), "utf8")).toBe(TAGGED_HEADER);
  });

  it("cgit base URL fetches tag v6.1", async () => {
    const headersDir = await makeHeadersDir("cgit", pinOne(sha256(TAGGED_HEADER)));
    requests.length = 0;
    const result = await runCli(["headers", "--from", `${baseUrl}/linux.git/`, "--headers-dir", headersDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(requests).toEqual(["/linux.git/plain/include/uapi/linux/bpf.h?h=v6.1"]);
    expect(await readFile(path.join(headersDir, "cache", "6.1", "bpf.h"), "utf8")).toBe(TAGGED_HEADER);
  });

  it("HTTP 404 is not taken", async () => {
    const url = `${baseUrl}/files/absent.h`;
    const headersDir = await makeHeadersDir("web-404", pinOne(sha256(TAGGED_HEADER), { url }));
    const result = await runCli(["headers", "--from", "web", "--headers-dir", headersDir, "6.1"], workDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`6.1: not taken - download failed: HTTP 404 from ${url}\n`);
    expect(existsSync(path.join(headersDir, "cache"))).toBe(false);
  });
});

describe("headers rejects unsafe pins", () => {
  const cases = [
    { name: "file ../escape.h", entry: { file: "../escape.h" }, message: "kernels[0]: file must be a plain file name such as bpf.h" },
    { name: "kernel ../../x", entry: { kernel: "../../x" }, message: 'kernels[0]: invalid kernel "../../x" - use MAJOR.MINOR such as 6.18, or next' },
    { name: "kernel as a number", entry: { kernel: 6.12 }, message: 'kernels[0]: kernel must be a string such as "6.18"' },
    { name: "kernel with a space", entry: { kernel: "6.12 " }, message: 'kernels[0]: invalid kernel "6.12 " - use MAJOR.MINOR such as 6.18, or next' },
  ];
  for (const testCase of cases) {
    it(`${testCase.name} writes nothing`, async () => {
      const url = `${baseUrl}/files/bpf.h`;
      const headersDir = await makeHeadersDir(`unsafe-${cases.indexOf(testCase)}`, pinOne(sha256(TAGGED_HEADER), { url, ...testCase.entry }));
      const parent = path.dirname(headersDir);
      const before = await listTree(parent);
      const result = await runCli(["headers", "--from", "web", "--headers-dir", headersDir], workDir);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(testCase.message);
      expect(await listTree(parent)).toEqual(before);
    });
  }

  it("version argument ../../x is rejected", async () => {
    const headersDir = await makeHeadersDir("unsafe-argument", pinOne(sha256(TAGGED_HEADER)));
    const parent = path.dirname(headersDir);
    const before = await listTree(parent);
    const result = await runCli(["headers", "--from", gitTree, "--headers-dir", headersDir, "../../x"], workDir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error: invalid kernel version "../../x"');
    expect(await listTree(parent)).toEqual(before);
  });
});

describe("headers version arguments", () => {
  it("unknown version exits 2", async () => {
    const headersDir = await makeHeadersDir("unknown");
    const result = await runCli(["headers", "--from", gitTree, "--headers-dir", headersDir, "5.4"], workDir);
    expect(result.status).toBe(2);
    const shipped = readPins(KERNELS_JSON).map((pin) => pin.kernel).join(", ");
    expect(result.stderr).toContain(
      `error: kernel 5.4 is not in headers/kernels.json (shipped: ${shipped}) - name a shipped version, or pin the new one in headers/kernels.json with its sha256 first`,
    );
    expect(existsSync(path.join(headersDir, "cache"))).toBe(false);
  });
});
