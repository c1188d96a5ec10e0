/**
 * Wall time of `npm run generate` and `npm run check` for every shipped
 * version, each spawned as a child process as a user would run it, and a
 * breakdown of the check's time over the processes it starts.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Section, Target } from "./report.js";
import { formatMs, formatMsSummary, progress, summarize, type Summary } from "./stats.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../", import.meta.url));
const RUNS = 7;
const CHECK_GOAL_MS = 1500;

interface CommandResult {
  readonly milliseconds: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in the repository root and returns its wall time from spawn to exit. */
function runCommand(command: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: REPOSITORY_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({
        milliseconds: performance.now() - start,
        status,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

/** A command line to time, with the label the report shows for it. */
interface Timed {
  /** Short name for progress lines. */
  readonly label: string;
  /** The command line as the report shows it, without machine-specific paths. */
  readonly shown: string;
  readonly command: string;
  readonly args: readonly string[];
}

interface TimedResult {
  readonly wall: Summary;
  /** The `in N ms` that the generator prints for its own work, per run, when it printed one. */
  readonly reported: Summary | null;
  /** The first run's output when a run exited with a status other than 0. */
  readonly failure: string | null;
}

/** Runs `timed` once untimed, to fill the disk cache and tsx's transpile cache, then `RUNS` times. */
async function timeCommand(timed: Timed): Promise<TimedResult> {
  progress(`commands: ${timed.label}, ${RUNS} runs`);
  await runCommand(timed.command, timed.args);
  const wall: number[] = [];
  const reported: number[] = [];
  let failure: string | null = null;
  for (let run = 0; run < RUNS; run++) {
    const result = await runCommand(timed.command, timed.args);
    wall.push(result.milliseconds);
    const inMs = / in (\d+) ms\b/.exec(result.stdout);
    if (inMs?.[1] !== undefined) reported.push(Number(inMs[1]));
    if (result.status !== 0 && failure === null) failure = `${result.stdout}${result.stderr}`.trim().split("\n").slice(0, 5).join(" ");
  }
  return { wall: summarize(wall), reported: reported.length === 0 ? null : summarize(reported), failure };
}

function row(timed: Timed, result: TimedResult): string[] {
  const reported = result.reported === null ? "—" : formatMs(result.reported.median);
  const status = result.failure === null ? "0" : `failed: ${result.failure}`;
  return [`\`${timed.shown}\``, formatMsSummary(result.wall), reported, status];
}

/** Formats a share of the wall time, which noise can make negative when it is small. */
function formatShare(milliseconds: number): string {
  if (milliseconds >= 0) return formatMs(milliseconds);
  return `nothing measurable (the difference of medians is ${formatMs(milliseconds)})`;
}

/** Measures generate into a temporary copy of generated/ and check against generated/ itself. */
export async function measureCommands(): Promise<Section> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-bench-generated-"));
  try {
    await cp(path.join(REPOSITORY_ROOT, "generated"), outDir, { recursive: true });
    const generate: Timed = {
      label: "npm run generate",
      shown: "npm run generate -- --out <temporary copy of generated/>",
      command: "npm",
      args: ["run", "generate", "--", "--out", outDir],
    };
    const check: Timed = { label: "npm run check", shown: "npm run check", command: "npm", args: ["run", "check"] };
    const tsxCli: Timed = {
      label: "tsx CLI check",
      shown: "node_modules/.bin/tsx generator/cli.ts check",
      command: path.join(REPOSITORY_ROOT, "node_modules/.bin/tsx"),
      args: ["generator/cli.ts", "check"],
    };
    const tsxImport: Timed = {
      label: "node --import tsx check",
      shown: "node --import tsx generator/cli.ts check",
      command: process.execPath,
      args: ["--import", "tsx", "generator/cli.ts", "check"],
    };
    const bareNode: Timed = { label: "node start-up", shown: 'node -e ""', command: process.execPath, args: ["-e", ""] };

    const results = new Map<Timed, TimedResult>();
    for (const timed of [generate, check, tsxCli, tsxImport, bareNode]) results.set(timed, await timeCommand(timed));
    const resultOf = (timed: Timed): TimedResult => {
      const result = results.get(timed);
      if (result === undefined) throw new Error(`no result for ${timed.label}`);
      return result;
    };

    const checkResult = resultOf(check);
    const npmShare = checkResult.wall.median - resultOf(tsxCli).wall.median;
    const tsxCliShare = resultOf(tsxCli).wall.median - resultOf(tsxImport).wall.median;
    const startup = resultOf(bareNode).wall.median;
    const ownWork = resultOf(tsxImport).reported?.median ?? Number.NaN;
    const loading = resultOf(tsxImport).wall.median - startup - ownWork;
    const target: Target = {
      subject: "`npm run check`, all shipped versions",
      goal: `< ${(CHECK_GOAL_MS / 1000).toFixed(1)} s wall`,
      measured: formatMsSummary(checkResult.wall) + (checkResult.failure === null ? "" : " (exit status not 0)"),
      met: checkResult.failure === null && checkResult.wall.median < CHECK_GOAL_MS,
      limit:
        `Of the median ${formatMs(checkResult.wall.median)}, npm's own process adds about ${formatShare(npmShare)}, ` +
        `which is \`npm run check\` minus the tsx CLI run directly. The tsx CLI starts a second Node process and adds about ` +
        `${formatShare(tsxCliShare)} over \`node --import tsx\`. Of the rest, Node start-up takes ${formatMs(startup)}, loading and ` +
        `transpiling the generator's modules about ${formatShare(loading)}, and the check itself about ${formatMs(ownWork)}, as it ` +
        "reports under `node --import tsx`, for reading the headers, extracting, rendering and comparing. All shares are " +
        "differences of medians, so they are estimates.",
    };

    return {
      title: "Generator commands",
      method:
        `Each command is spawned from the repository root, run once untimed (to fill the disk cache and tsx's transpile cache) ` +
        `and then ${RUNS} times; wall time runs from spawn to exit. \`npm run generate\` writes into a temporary copy of generated/ ` +
        "(`--out`), so the repository is not touched; `npm run check` compares with generated/ and never writes. The three rows " +
        "after them split the check's wall time: the tsx CLI without npm, Node with the tsx loader without the tsx CLI, and the " +
        "start-up of a bare Node process. \"Reported\" is the time the command prints for its own work, after its modules are loaded.",
      tables: [{ columns: ["Command", "Wall, median (min–max)", "Reported", "Exit status"], rows: [generate, check, tsxCli, tsxImport, bareNode].map((timed) => row(timed, resultOf(timed))) }],
      notes: [],
      targets: [target],
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
