/**
 * The report model each measured area returns, and its rendering as the
 * Markdown page docs/benchmarks.md.
 */
import os from "node:os";

/** A goal from the project's performance budget, with the number measured against it. */
export interface Target {
  /** The measured quantity, as a short noun phrase. */
  readonly subject: string;
  /** The goal, as in `≤ 50 ms`. */
  readonly goal: string;
  readonly measured: string;
  /** Whether the goal was met, or null when it could not be measured on this machine. */
  readonly met: boolean | null;
  /** The cause of a miss, with numbers, shown under the targets table when the goal is missed. */
  readonly limit?: string;
}

/** A Markdown table: header cells and rows of cells. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** The results of one measured area. */
export interface Section {
  readonly title: string;
  /** The measurement method, as one paragraph. */
  readonly method: string;
  readonly tables: readonly Table[];
  /** Paragraphs printed after the tables: skipped inputs, breakdowns, caveats. */
  readonly notes: readonly string[];
  readonly targets: readonly Target[];
}

/**
 * Returns a caveat when the 1-minute load average exceeded the core count at
 * the start or the end, or null. Other processes then took CPU time from the
 * measurements, which inflates every wall time.
 */
export function loadCaveat(loadAtStart: readonly number[], loadAtEnd: readonly number[]): string | null {
  const cores = os.cpus().length;
  const peak = Math.max(loadAtStart[0] ?? 0, loadAtEnd[0] ?? 0);
  if (peak <= cores) return null;
  return (
    `The 1-minute load average reached ${peak.toFixed(1)} on ${cores} cores during this run, so other processes shared ` +
    "the CPU and the wall times above are inflated. A time target missed here may be met on an idle machine; the ratios " +
    "of interleaved measurements are less affected than absolute times."
  );
}

/** Describes the machine, the Node.js version and the load the benchmark ran with, as a Markdown list. */
export function describeMachine(started: Date, loadAtStart: readonly number[], loadAtEnd: readonly number[]): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  const memory = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
  const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(", ");
  return [
    `- CPU: ${model}, ${cpus.length} cores (os.cpus())`,
    `- Memory: ${memory}`,
    `- Node.js ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`,
    `- Date: ${started.toISOString()}`,
    `- Load average (1, 5, 15 min) at start: ${load(loadAtStart)}; at end: ${load(loadAtEnd)}. A load above the core count means other processes shared the CPU.`,
  ].join("\n");
}

function escapeCell(cell: string): string {
  return cell.replaceAll("|", "\\|").replaceAll("\n", " ");
}

export function renderTable(table: Table): string {
  const lines = [
    `| ${table.columns.map(escapeCell).join(" | ")} |`,
    `| ${table.columns.map(() => "---").join(" | ")} |`,
  ];
  for (const row of table.rows) lines.push(`| ${row.map(escapeCell).join(" | ")} |`);
  return lines.join("\n");
}

function verdict(met: boolean | null): string {
  if (met === null) return "not measured";
  return met ? "met" : "**missed**";
}

/**
 * Renders the targets of all sections as one table, with a paragraph under
 * it for each missed target and then the caveats.
 */
function renderTargets(sections: readonly Section[], caveats: readonly string[]): string {
  const targets = sections.flatMap((section) => section.targets);
  const table = renderTable({
    columns: ["Target", "Goal", "Measured", "Result"],
    rows: targets.map((target) => [target.subject, target.goal, target.measured, verdict(target.met)]),
  });
  const limits = targets
    .filter((target) => target.met !== true && target.limit !== undefined)
    .map((target) => `**${target.subject}** (${verdict(target.met).replaceAll("*", "")}): ${target.limit ?? ""}`);
  return [table, ...limits, ...caveats].join("\n\n");
}

/** Renders the whole page. */
export function renderReport(
  summary: string,
  machine: string,
  sections: readonly Section[],
  totalSeconds: number,
  caveats: readonly string[],
): string {
  const parts = [
    "# Benchmarks",
    summary,
    `## Machine\n\n${machine}\n- Whole benchmark run: ${totalSeconds.toFixed(0)} s`,
    `## Targets\n\n${renderTargets(sections, caveats)}`,
  ];
  for (const section of sections) {
    const body = [section.method, ...section.tables.map(renderTable), ...section.notes];
    parts.push(`## ${section.title}\n\n${body.join("\n\n")}`);
  }
  return `${parts.join("\n\n")}\n`;
}
