/**
 * Summary statistics of repeated measurements, number formatting for the
 * report, and the timing helpers the measured areas share.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Median and spread of repeated samples, in the unit of the samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p10: number;
  readonly p90: number;
  readonly runs: number;
}

/** Returns the value at quantile `q` (0 to 1) of sorted samples, interpolating linearly. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] ?? Number.NaN;
  const high = sorted[upper] ?? Number.NaN;
  return low + (high - low) * (position - lower);
}

/** Summarizes samples. Throws on an empty list, which would mean that a measurement never ran. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("summarize: no samples - the measurement loop ran zero times");
  const sorted = [...samples].sort((left, right) => left - right);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    runs: sorted.length,
  };
}

/** Formats milliseconds with three significant digits at most, keeping at least one decimal below 100. */
export function formatMs(milliseconds: number): string {
  const magnitude = Math.abs(milliseconds);
  if (magnitude >= 100) return `${Math.round(milliseconds)} ms`;
  if (magnitude >= 10) return `${milliseconds.toFixed(1)} ms`;
  return `${milliseconds.toFixed(2)} ms`;
}

/** Formats a millisecond summary as `median (min–max)`. */
export function formatMsSummary(summary: Summary): string {
  return `${formatMs(summary.median)} (${formatMs(summary.min)}–${formatMs(summary.max)})`;
}

/** Formats a ratio with two decimals below 10 and none above, as `0.42×` or `37×`. */
export function formatRatio(ratio: number): string {
  if (ratio >= 10) return `${Math.round(ratio)}×`;
  return `${ratio.toFixed(2)}×`;
}

/** Formats a count with thousands separators: `1,234,567`. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString("en-US");
}

/** Formats a byte count as bytes and KiB: `5,012 B (4.9 KiB)`. */
export function formatBytes(bytes: number): string {
  return `${formatCount(bytes)} B (${(bytes / 1024).toFixed(1)} KiB)`;
}

/** Returns the elapsed milliseconds of a synchronous call. */
export function timeSync(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

/** Returns the elapsed milliseconds of an asynchronous call. */
export async function timeAsync(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

let gcFunction: (() => void) | null = null;

/**
 * Runs a full garbage collection. tree-sitter trees hold native memory that
 * is freed only when their JavaScript wrappers are collected, so after
 * parsing a large file several times a measurement calls this before the
 * next one starts. `npm run bench` starts Node without `--expose-gc`, so the
 * flag is set at run time and the `gc` function is read from a fresh
 * context, where V8 installs it.
 */
export function collectGarbage(): void {
  if (gcFunction === null) {
    setFlagsFromString("--expose-gc");
    const exposed: unknown = runInNewContext("gc");
    if (typeof exposed !== "function") throw new Error("collectGarbage: V8 did not expose gc after --expose-gc");
    gcFunction = exposed as () => void;
  }
  gcFunction();
}

/** Prints a progress line to stderr, so stdout carries only the report path. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * Times each task `runs` times after `warmups` untimed rounds, and returns the
 * samples in milliseconds by task name. Within a round the tasks run one
 * after another, with the order rotated each round, so that a drift of the
 * machine's speed during the measurement reaches every task alike.
 *
 * No forced garbage collection separates the rounds. A full collection
 * before each extraction made it about 3 times slower (5 ms against 18 ms on
 * a 280 KiB bpf.h, Node 20). The rounds would then time the recovery from
 * the collection rather than the task.
 */
export function interleave<Name extends string>(
  tasks: Readonly<Record<Name, () => unknown>>,
  runs: number,
  warmups: number,
): Record<Name, number[]> {
  const names = Object.keys(tasks) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < warmups + runs; round++) {
    for (let offset = 0; offset < names.length; offset++) {
      const name = names[(round + offset) % names.length] as Name;
      const elapsed = timeSync(tasks[name]);
      if (round >= warmups) samples[name].push(elapsed);
    }
  }
  return samples;
}
