/**
 * The write stage under SIGKILL: real `generate` runs in child processes
 * replace an old tree and are killed at random moments, and some right when
 * the backup of the old tree appears, between the two renames of the swap.
 * After every kill the out dir must be exactly the old tree or exactly the
 * new one. Also checks that a failed run leaves the out dir untouched and
 * that a run rewrites only the files whose content changed.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupPath, recoverInterruptedWrite } from "../generator/write.js";
import { CLI_PATH } from "./support/run.js";
import { listSharedHeaders } from "./support/shared.js";
import { fileIdentities, readBytes } from "./support/files.js";

const execFileAsync = promisify(execFile);

const REPOSITORY_ROOT = fileURLToPath(new URL("../", import.meta.url));
const TSX_LOADER = path.join(REPOSITORY_ROOT, "node_modules/tsx/dist/loader.mjs");
const SYSTEM_HEADER = "/usr/include/linux/bpf.h";

/** Kill attempts per scenario. Half wait a random delay and half wait for the backup to appear. */
const ATTEMPTS_PER_SCENARIO = 16;

/** A real bpf.h: the shared Debian 6.1 header, or the system one. */
const HEADER =
  listSharedHeaders().find((header) => header.kernel === "6.1")?.file ?? (existsSync(SYSTEM_HEADER) ? SYSTEM_HEADER : null);
if (HEADER === null) console.warn(`skipping atomic write tests: no shared 6.1 header and no ${SYSTEM_HEADER}`);

/** A header whose bpf_cmd uses an identifier that nothing defines, so extraction fails. */
const BROKEN_HEADER = [
  "enum bpf_cmd { BPF_MAP_CREATE = UNDEFINED_VALUE };",
  "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC };",
  "enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC };",
  "enum bpf_attach_type { BPF_CGROUP_INET_INGRESS };",
  "",
].join("\n");

let workDir = "";

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-atomic-write-"));
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  delete env["INIT_CWD"];
  return env;
}

/** A started generator run and the promise of its exit code (null when killed). */
interface Run {
  readonly pid: number | undefined;
  readonly kill: () => void;
  readonly exited: Promise<number | null>;
}

/** Starts `generate --header FILE --kernel X.Y --out DIR` as a child process, on CPU 0 only when `pinned`. */
function startGenerate(header: string, kernel: string, outDir: string, pinned = false): Run {
  const args = ["--import", TSX_LOADER, CLI_PATH, "generate", "--header", header, "--kernel", kernel, "--out", outDir];
  const [command, commandArgs] = pinned ? ["taskset", ["-c", "0", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, commandArgs, { cwd: workDir, env: childEnv(), stdio: "ignore" });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  return { pid: child.pid, kill: () => child.kill("SIGKILL"), exited };
}

async function generate(header: string, kernel: string, outDir: string): Promise<number | null> {
  return startGenerate(header, kernel, outDir).exited;
}



function sameTree(left: ReadonlyMap<string, string>, right: ReadonlyMap<string, string>): boolean {
  if (left.size !== right.size) return false;
  for (const [file, content] of left) {
    if (right.get(file) !== content) return false;
  }
  return true;
}

/** Whether `taskset -c 0` cannot run here: no taskset, or CPU 0 outside this process's CPU set. */
const TASKSET_MISSING = spawnSync("taskset", ["-c", "0", process.execPath, "-e", ""], { stdio: "ignore" }).status !== 0;
if (TASKSET_MISSING) console.warn("taskset -c 0 failed (install util-linux, or allow CPU 0): kills aimed at the swap rarely land between its renames");

/**
 * Kills process `argv[4]` right after `argv[1]` (the backup) appears, or at
 * `argv[5]` ms. Once a directory starting with `argv[3]` appears in
 * `argv[2]` (the staging tree), it lowers the process to nice 19 and spins
 * on CPU 0 beside it, so the process tends to wait for the CPU between the
 * two renames. Prints `appeared` or `timed out`.
 */
const SWAP_KILLER = `
const fs = require("node:fs");
const os = require("node:os");
const [backup, parent, stagingPrefix, pidText, timeoutText] = process.argv.slice(1);
const pid = Number(pidText);
const deadline = Date.now() + Number(timeoutText);
const staging = () => fs.readdirSync(parent).some((entry) => entry.startsWith(stagingPrefix) && !entry.endsWith("-previous"));
(async () => {
  while (!staging() && !fs.existsSync(backup) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  try { os.setPriority(pid, 19); } catch {}
  while (!fs.existsSync(backup) && Date.now() < deadline) {}
  const appeared = fs.existsSync(backup);
  try { process.kill(pid, "SIGKILL"); } catch {}
  console.log(appeared ? "appeared" : "timed out");
})();
`;

/** Kills `run` when the backup of `outDir` appears, from a process on CPU 0, and returns when it happened. */
async function killAtSwap(run: Run, outDir: string, timeoutMs: number): Promise<string> {
  const stagingPrefix = `.${path.basename(outDir)}.bpf-uapi-`;
  const args = ["-e", SWAP_KILLER, backupPath(outDir), path.dirname(outDir), stagingPrefix, String(run.pid), String(timeoutMs)];
  const { stdout } = await execFileAsync(TASKSET_MISSING ? process.execPath : "taskset", TASKSET_MISSING ? args : ["-c", "0", process.execPath, ...args]);
  return stdout.trim() === "appeared" ? "when the backup appeared" : "after the backup never appeared";
}

/** Returns the staging trees of generate runs in `parent`, beside its `out` dir. */
async function stagingTrees(parent: string): Promise<string[]> {
  return (await readdir(parent)).filter((entry) => /^\.out\.bpf-uapi-\d+-[0-9a-f]{8}$/.test(entry));
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * A generator run that replaces an old tree: `prepare` builds the old tree
 * in an out dir, then `generate --kernel kernel` writes the new one.
 */
interface Scenario {
  readonly name: string;
  readonly kernel: string;
  readonly prepare: (header: string, outDir: string) => Promise<void>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "add 6.18 to 6.1",
    kernel: "6.18",
    prepare: async (header, outDir) => {
      await generate(header, "6.1", outDir);
    },
  },
  {
    name: "rewrite altered 6.1",
    kernel: "6.1",
    prepare: async (header, outDir) => {
      await generate(header, "6.1", outDir);
      const enums = path.join(outDir, "v6.1", "enums.ts");
      await writeFile(enums, `${await readFile(enums, "utf8")}// altered by the test\n`);
    },
  },
];

/** What the kills of one scenario left behind. */
interface KillStatistics {
  scenario: string;
  attempts: number;
  oldTree: number;
  newTree: number;
  /** Kills between the two renames: out dir missing, backup present. */
  betweenRenames: number;
  /** Kills after the second rename, before the backup was removed. */
  backupBesideNewTree: number;
  /** Staging trees left beside the out dir, before recovery removed them. */
  leftoverStaging: number;
}

const statistics: KillStatistics[] = [];

afterAll(() => {
  for (const entry of statistics) console.info(`SIGKILL during generate: ${JSON.stringify(entry)}`);
});

describe.skipIf(HEADER === null)("generate killed with SIGKILL", () => {
  const header = HEADER ?? SYSTEM_HEADER;

  it.each(SCENARIOS)("leaves old or new tree: $name", async (scenario) => {
    const template = path.join(workDir, "old");
    const finished = path.join(workDir, "finished");
    await scenario.prepare(header, template);
    await cp(template, finished, { recursive: true });
    const started = performance.now();
    expect(await generate(header, scenario.kernel, finished)).toBe(0);
    const runMs = performance.now() - started;
    const oldTree = await readBytes(template);
    const newTree = await readBytes(finished);
    expect(sameTree(oldTree, newTree)).toBe(false);

    const counts: KillStatistics = {
      scenario: scenario.name,
      attempts: 0,
      oldTree: 0,
      newTree: 0,
      betweenRenames: 0,
      backupBesideNewTree: 0,
      leftoverStaging: 0,
    };
    for (let attempt = 0; attempt < ATTEMPTS_PER_SCENARIO; attempt++) {
      const parent = path.join(workDir, `attempt-${attempt}`);
      const outDir = path.join(parent, "out");
      await cp(template, outDir, { recursive: true });

      const aimed = attempt % 2 === 1;
      const run = startGenerate(header, scenario.kernel, outDir, aimed && !TASKSET_MISSING);
      let moment: string;
      if (aimed) {
        moment = await killAtSwap(run, outDir, 30_000);
      } else {
        // Every other random kill aims at the last 40% of a run, where it writes.
        const delay = attempt % 4 === 0 ? Math.random() * runMs * 1.2 : runMs * (0.6 + Math.random() * 0.5);
        moment = `after ${delay.toFixed(1)} ms`;
        await sleep(delay);
      }
      run.kill();
      const code = await run.exited;
      counts.attempts++;

      const backupExists = existsSync(backupPath(outDir));
      counts.leftoverStaging += (await stagingTrees(parent)).length;
      if (!existsSync(outDir)) {
        counts.betweenRenames++;
        expect(backupExists, `attempt ${attempt} killed ${moment}: out dir and backup are both missing`).toBe(true);
        // Alternate between the library call and a new generate run, which
        // must restore the old tree before it merges the new version in.
        if (counts.betweenRenames % 2 === 1) {
          await recoverInterruptedWrite(outDir);
          expect(sameTree(await readBytes(outDir), oldTree), `attempt ${attempt}: recovered tree is not the old tree`).toBe(true);
        } else {
          expect(await generate(header, scenario.kernel, outDir)).toBe(0);
          expect(sameTree(await readBytes(outDir), newTree), `attempt ${attempt}: the next run did not write the new tree`).toBe(true);
        }
      } else {
        const tree = await readBytes(outDir);
        const isOld = sameTree(tree, oldTree);
        const isNew = sameTree(tree, newTree);
        expect(isOld || isNew, `attempt ${attempt} killed ${moment} (exit ${String(code)}): out dir is neither the old nor the new tree`).toBe(true);
        if (isOld) counts.oldTree++;
        if (isNew) counts.newTree++;
        if (isNew && backupExists) counts.backupBesideNewTree++;
        await recoverInterruptedWrite(outDir);
        expect(sameTree(await readBytes(outDir), tree), `attempt ${attempt}: recovery changed a complete tree`).toBe(true);
      }

      expect(await stagingTrees(parent), `attempt ${attempt}: staging trees left after recovery`).toEqual([]);
      expect(existsSync(backupPath(outDir)), `attempt ${attempt}: backup left after recovery`).toBe(false);
    }
    statistics.push(counts);

    expect(counts.attempts).toBe(ATTEMPTS_PER_SCENARIO);
  }, 300_000);
});

describe.skipIf(HEADER === null)("generate run", () => {
  const header = HEADER ?? SYSTEM_HEADER;

  it("restores interrupted swap first", async () => {
    const outDir = path.join(workDir, "out");
    const expectedDir = path.join(workDir, "expected");
    await generate(header, "6.1", outDir);
    await cp(outDir, expectedDir, { recursive: true });
    await generate(header, "6.18", expectedDir);
    // The state a kill between the two renames leaves: only the backup.
    await rename(outDir, backupPath(outDir));

    expect(await generate(header, "6.18", outDir)).toBe(0);

    expect(await readBytes(outDir)).toEqual(await readBytes(expectedDir));
    expect(existsSync(backupPath(outDir))).toBe(false);
  });

  it("removes staging of ended runs", async () => {
    const outDir = path.join(workDir, "out");
    const ended = spawnSync(process.execPath, ["-e", ""]);
    const endedStaging = path.join(workDir, `.out.bpf-uapi-${ended.pid}-0123abcd`);
    const liveStaging = path.join(workDir, `.out.bpf-uapi-${process.pid}-4567cdef`);
    await mkdir(endedStaging);
    await mkdir(liveStaging);

    expect(await generate(header, "6.1", outDir)).toBe(0);

    expect(existsSync(endedStaging)).toBe(false);
    expect(existsSync(liveStaging)).toBe(true);
  });

  it("writes nothing on extraction error", async () => {
    const outDir = path.join(workDir, "out");
    const broken = path.join(workDir, "broken.h");
    await generate(header, "6.1", outDir);
    await writeFile(broken, BROKEN_HEADER);
    const before = await fileIdentities(outDir);

    const code = await generate(broken, "6.18", outDir);

    expect(code).toBe(1);
    expect(await fileIdentities(outDir)).toEqual(before);
    expect(await readdir(workDir)).toEqual(["broken.h", "out"]);
  });

  it("writes only changed files", async () => {
    const outDir = path.join(workDir, "out");
    await generate(header, "6.1", outDir);
    const enums = path.join(outDir, "v6.1", "enums.ts");
    const content = await readFile(enums, "utf8");
    await writeFile(enums, `${content}// altered by the test\n`);
    const before = await fileIdentities(outDir);

    expect(await generate(header, "6.1", outDir)).toBe(0);
    const after = await fileIdentities(outDir);

    expect(await readFile(enums, "utf8")).toBe(content);
    expect(after.get("v6.1/enums.ts")).not.toBe(before.get("v6.1/enums.ts"));
    for (const [file, identity] of before) {
      if (file !== "v6.1/enums.ts" && file !== "" && file !== "v6.1") expect(after.get(file), file).toBe(identity);
    }
  });

  it("writes nothing when unchanged", async () => {
    const outDir = path.join(workDir, "out");
    await generate(header, "6.1", outDir);
    const before = await fileIdentities(outDir);

    expect(await generate(header, "6.1", outDir)).toBe(0);

    expect(await fileIdentities(outDir)).toEqual(before);
  });
});
