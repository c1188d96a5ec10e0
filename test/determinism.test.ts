/**
 * The generator's output depends only on its input headers: not on the
 * locale, the time zone, or the order in which versions were added to the
 * output directory. Each run is the real CLI in a child process, and trees
 * are compared byte for byte with each other and with generated/.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPins } from "../generator/pins.js";
import { CLI_PATH } from "./support/run.js";
import { listSharedHeaders } from "./support/shared.js";
import { readBytes } from "./support/files.js";

const execFileAsync = promisify(execFile);

const REPOSITORY_ROOT = fileURLToPath(new URL("../", import.meta.url));
const GENERATED_DIR = path.join(REPOSITORY_ROOT, "generated");
const TSX_LOADER = path.join(REPOSITORY_ROOT, "node_modules/tsx/dist/loader.mjs");
const SYSTEM_HEADER = "/usr/include/linux/bpf.h";

/** Environment variables that select a locale or time zone, removed before each run sets its own. */
const LOCALE_VARIABLES = ["LANG", "LANGUAGE", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MESSAGES", "LC_NUMERIC", "LC_TIME", "TZ"];

const PLAIN_ENV = { LANG: "C", TZ: "UTC" };
// Turkish case folding maps I to dotless ı, and Kiritimati is UTC+14, so a
// date or a locale-aware case change would show up in the output.
const TURKISH_ENV = { LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8", TZ: "Pacific/Kiritimati" };

/** A header the generator reads for one kernel version. */
interface VersionHeader {
  readonly kernel: string;
  readonly file: string;
}

/** Returns the shared header of `kernel` (a release, or `next` for the bpf-next snapshot), or null. */
function sharedHeader(kernel: string): VersionHeader | null {
  const header = listSharedHeaders().find((entry) => (entry.kernel ?? entry.kernelAbout) === kernel && !entry.id.startsWith("libbpf-v"));
  return header === undefined ? null : { kernel, file: header.file };
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

/** Returns the sha256 of the header that generated/`kernelDirectory` was made from, read from its uapi.json. */
async function committedSha256(kernelDirectory: string): Promise<string> {
  const document: unknown = JSON.parse(await readFile(path.join(GENERATED_DIR, kernelDirectory, "uapi.json"), "utf8"));
  const source = (document as { source?: { sha256?: unknown } }).source;
  return typeof source?.sha256 === "string" ? source.sha256 : "";
}

const HEADER_6_1 = sharedHeader("6.1") ?? (existsSync(SYSTEM_HEADER) ? { kernel: "6.1", file: SYSTEM_HEADER } : null);

/** The shared header of every pinned version, found by sha256, or null where the folder lacks one. */
const PINNED_HEADERS = readPins().map((pin): VersionHeader | null => {
  const header = listSharedHeaders().find((entry) => entry.sha256 === pin.sha256);
  return header === undefined ? null : { kernel: pin.kernel, file: header.file };
});
const ORDER_HEADERS = PINNED_HEADERS;
const orderReason = ORDER_HEADERS.includes(null) ? "the shared headers folder lacks the header of a pinned version" : null;
if (HEADER_6_1 === null) console.warn(`skipping determinism tests: no shared 6.1 header and no ${SYSTEM_HEADER}`);
if (orderReason !== null) console.warn(`skipping the version order test: ${orderReason}`);

let workDir = "";

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-determinism-"));
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Returns the parent environment without locale and time zone variables or INIT_CWD, plus `variables`. */
function childEnv(variables: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...LOCALE_VARIABLES, "INIT_CWD"]) delete env[name];
  return { ...env, ...variables };
}

/** Runs `generate --header FILE --kernel X.Y --out DIR` in a child process with `variables` set. */
async function generate(header: VersionHeader, outDir: string, variables: Readonly<Record<string, string>>): Promise<void> {
  const args = ["--import", TSX_LOADER, CLI_PATH, "generate", "--header", header.file, "--kernel", header.kernel, "--out", outDir];
  await execFileAsync(process.execPath, args, { cwd: workDir, env: childEnv(variables), timeout: 60_000 });
}


/** Returns the files of `tree` under `directory/`, with that prefix removed. */
function subtree(tree: ReadonlyMap<string, string>, directory: string): Map<string, string> {
  const prefix = `${directory}/`;
  return new Map([...tree].filter(([file]) => file.startsWith(prefix)).map(([file, content]) => [file.slice(prefix.length), content]));
}

describe.skipIf(HEADER_6_1 === null)("generate output", () => {
  const header = HEADER_6_1 ?? { kernel: "6.1", file: SYSTEM_HEADER };

  it("child sees the Turkish locale", async () => {
    const script = "const o = Intl.DateTimeFormat().resolvedOptions(); console.log(o.locale + ' ' + o.timeZone)";
    const { stdout } = await execFileAsync(process.execPath, ["-e", script], { env: childEnv(TURKISH_ENV) });

    expect(stdout.trim()).toBe("tr-TR Pacific/Kiritimati");
  });

  it("is the same in C and Turkish locales", async () => {
    const plain = path.join(workDir, "plain");
    const turkish = path.join(workDir, "turkish");
    await generate(header, plain, PLAIN_ENV);
    await generate(header, turkish, TURKISH_ENV);

    const plainTree = await readBytes(plain);
    const turkishTree = await readBytes(turkish);

    expect([...turkishTree.keys()]).toEqual([...plainTree.keys()]);
    for (const [file, content] of plainTree) {
      expect(turkishTree.get(file), file).toBe(content);
    }
  });

  it("matches committed v6.1", async ({ skip }) => {
    const expectedSha256 = await committedSha256("v6.1");
    if ((await sha256(header.file)) !== expectedSha256) skip(`${header.file} is not the header generated/v6.1 was made from`);
    const outDir = path.join(workDir, "out");
    await generate(header, outDir, TURKISH_ENV);

    const generated = subtree(await readBytes(outDir), "v6.1");
    const committed = subtree(await readBytes(GENERATED_DIR), "v6.1");

    expect([...generated.keys()]).toEqual([...committed.keys()]);
    for (const [file, content] of committed) {
      expect(generated.get(file), file).toBe(content);
    }
  });
});

describe.skipIf(orderReason !== null)("generate version order", () => {
  const headers = ORDER_HEADERS.filter((header): header is VersionHeader => header !== null);

  /** Generates `order` (indexes into headers) one version per run into a new out dir and returns its tree. */
  async function generateInOrder(name: string, order: readonly number[]): Promise<Map<string, string>> {
    const outDir = path.join(workDir, name);
    for (const index of order) {
      const header = headers[index];
      if (header !== undefined) await generate(header, outDir, PLAIN_ENV);
    }
    return readBytes(outDir);
  }

  const ascendingOrder = headers.map((_, index) => index);
  const descendingOrder = [...ascendingOrder].reverse();
  const mixedOrder = [...ascendingOrder.slice(1), 0];

  it("does not change the output", async () => {
    const ascending = await generateInOrder("ascending", ascendingOrder);
    const descending = await generateInOrder("descending", descendingOrder);
    const mixed = await generateInOrder("mixed", mixedOrder);

    expect([...descending.keys()]).toEqual([...ascending.keys()]);
    expect([...mixed.keys()]).toEqual([...ascending.keys()]);
    for (const [file, content] of ascending) {
      expect(descending.get(file), `descending ${file}`).toBe(content);
      expect(mixed.get(file), `mixed ${file}`).toBe(content);
    }
  });

  it("matches committed generated/", async ({ skip }) => {
    for (const header of headers) {
      const directory = header.kernel === "next" ? "next" : `v${header.kernel}`;
      if ((await sha256(header.file)) !== (await committedSha256(directory))) skip(`${header.file} is not the header generated/${directory} was made from`);
    }
    const generated = await generateInOrder("descending", descendingOrder);
    const committed = await readBytes(GENERATED_DIR);

    expect([...generated.keys()]).toEqual([...committed.keys()]);
    for (const [file, content] of committed) {
      expect(generated.get(file), file).toBe(content);
    }
  });
});
