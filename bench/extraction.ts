/**
 * Extraction of the five enums from real headers: against a bare tree-sitter
 * parse of the same text, against the C-compiler route, and on the 2.8 MB
 * vmlinux.h of a 6.18 kernel.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cParser, extractEnums } from "../generator/extract.js";
import { findRegions, toTextRanges } from "../generator/regions.js";
import { readHeader, type HeaderText } from "../generator/source.js";
import { ENUM_SPECS } from "../src/enums.js";
import { listSharedHeaders, sharedHeadersSkipReason, type SharedHeader } from "../test/support/shared.js";
import { compilerRoute, compilerSkipReason } from "./compiler.js";
import type { Section, Target } from "./report.js";
import {
  collectGarbage,
  formatMs,
  formatMsSummary,
  formatRatio,
  interleave,
  progress,
  summarize,
  timeAsync,
  timeSync,
  type Summary,
} from "./stats.js";

const TARGET_TAGS: ReadonlySet<string> = new Set(ENUM_SPECS.map((spec) => spec.cName));

/** Timed rounds per bpf.h: each round times extraction, the scan, the ranged parse and the bare parse once. */
const BPF_H_RUNS = 15;
const BPF_H_WARMUPS = 3;
/** Untimed rounds on the first header before any header is measured. */
const WARMUP_ROUNDS = 30;
/** Timed runs of the C-compiler route per header, after one untimed run that checks its values. */
const COMPILER_RUNS = 5;
const VMLINUX_FAST_RUNS = 15;
/** A full parse of vmlinux.h takes seconds, so it gets few runs. */
const VMLINUX_FULL_RUNS = 3;

const EXTRACTION_GOAL_RATIO = 0.5;
const COMPILER_GOAL_SPEEDUP = 30;
const VMLINUX_GOAL_MS = 50;

/** Timings of one header, in milliseconds. */
interface HeaderTimings {
  readonly id: string;
  readonly bytes: number;
  readonly extract: Summary;
  readonly scan: Summary;
  readonly rangedParse: Summary;
  readonly bareParse: Summary;
  /** Median over rounds of extraction time divided by bare parse time in the same round. */
  readonly parseRatio: number;
  readonly compiler: CompilerTimings | null;
}

/** Timings of the C-compiler route on one header. */
interface CompilerTimings {
  readonly route: Summary;
  /**
   * Median over runs of the route's time divided by the extraction time
   * measured just before that run, so that a change in machine load between
   * runs reaches both sides of each ratio.
   */
  readonly speedup: number;
}

/** Reads every enumerator name the fast path extracts, for the C program. */
function enumeratorNames(header: HeaderText): { names: string[]; values: Map<string, bigint> } {
  const values = new Map<string, bigint>();
  for (const rawEnum of extractEnums(header).values()) {
    for (const enumerator of rawEnum.enumerators) values.set(enumerator.name, enumerator.value);
  }
  return { names: [...values.keys()], values };
}

/** Returns the tasks timed against each other for one header. */
function extractionTasks(header: HeaderText): { extract: () => unknown; scan: () => unknown; rangedParse: () => unknown } {
  const parser = cParser();
  const includedRanges = toTextRanges(findRegions(header.text, TARGET_TAGS).regions, header.lineStarts);
  const input = (index: number): string => header.text.slice(index, index + 65536);
  return {
    extract: () => extractEnums(header),
    scan: () => toTextRanges(findRegions(header.text, TARGET_TAGS).regions, header.lineStarts),
    rangedParse: () => parser.parse(input, undefined, { includedRanges }),
  };
}

/**
 * Times the C-compiler route, each run right after three extractions whose
 * median is its paired extraction time. Returns null with a printed reason
 * when the route cannot run. Adds a note when the compiler's values differ
 * from the extracted ones, because the comparison then measures different work.
 */
async function timeCompilerRoute(file: string, header: HeaderText, notes: string[]): Promise<CompilerTimings | null> {
  const { names, values } = enumeratorNames(header);
  const workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-bench-cc-"));
  try {
    const printed = await compilerRoute(file, names, workDir);
    const differing = names.filter((name) => printed.get(name) !== values.get(name));
    if (differing.length > 0) notes.push(`The C compiler prints other values than extraction for ${differing.join(", ")} in ${file}.`);
    const samples: number[] = [];
    const speedups: number[] = [];
    for (let run = 0; run < COMPILER_RUNS; run++) {
      const extraction = summarize([0, 1, 2].map(() => timeSync(() => extractEnums(header)))).median;
      const route = await timeAsync(() => compilerRoute(file, names, workDir));
      samples.push(route);
      speedups.push(route / extraction);
    }
    return { route: summarize(samples), speedup: summarize(speedups).median };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`C-compiler route skipped for ${file}: ${message}`);
    notes.push(`The C-compiler route failed for ${file}: ${message.split("\n")[0] ?? ""}`);
    return null;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function measureHeader(shared: SharedHeader, compilerAvailable: boolean, notes: string[]): Promise<HeaderTimings> {
  const header = await readHeader(shared.file);
  const parser = cParser();
  const samples = interleave({ ...extractionTasks(header), bareParse: () => parser.parse(header.text) }, BPF_H_RUNS, BPF_H_WARMUPS);
  const ratios = samples.extract.map((extract, round) => extract / (samples.bareParse[round] ?? Number.NaN));
  const compiler = compilerAvailable ? await timeCompilerRoute(shared.file, header, notes) : null;
  return {
    id: shared.id,
    bytes: (await stat(shared.file)).size,
    extract: summarize(samples.extract),
    scan: summarize(samples.scan),
    rangedParse: summarize(samples.rangedParse),
    bareParse: summarize(samples.bareParse),
    parseRatio: summarize(ratios).median,
    compiler,
  };
}

function headerRow(timings: HeaderTimings): string[] {
  const compiler = timings.compiler;
  return [
    timings.id,
    `${(timings.bytes / 1024).toFixed(0)}`,
    formatMsSummary(timings.extract),
    formatMs(timings.scan.median),
    formatMs(timings.rangedParse.median),
    formatMsSummary(timings.bareParse),
    formatRatio(timings.parseRatio),
    compiler === null ? "—" : formatMsSummary(compiler.route),
    compiler === null ? "—" : formatRatio(compiler.speedup),
  ];
}

/** Describes where the extraction time of one header goes, for a missed target. */
function extractionBreakdown(timings: HeaderTimings): string {
  const walk = timings.extract.median - timings.scan.median - timings.rangedParse.median;
  return (
    `Extraction takes ${formatMs(timings.extract.median)} (median). Of that, the lexical scan for directives and target enums ` +
    `takes ${formatMs(timings.scan.median)} and the tree-sitter parse of the included ranges ${formatMs(timings.rangedParse.median)}. ` +
    `The remainder, about ${formatMs(walk)} (an estimate), goes to lexing the directives, walking the tree and evaluating the enumerators.`
  );
}

function parseRatioTarget(all: readonly HeaderTimings[]): Target {
  const worst = all.reduce((left, right) => (right.parseRatio > left.parseRatio ? right : left));
  const median = summarize(all.map((timings) => timings.parseRatio)).median;
  const met = worst.parseRatio <= EXTRACTION_GOAL_RATIO;
  return {
    subject: "bpf.h: extraction ÷ bare tree-sitter parse",
    goal: `≤ ${EXTRACTION_GOAL_RATIO.toFixed(2)}× on every bpf.h`,
    measured: `worst ${formatRatio(worst.parseRatio)} (${worst.id}), median over headers ${formatRatio(median)}`,
    met,
    limit:
      `On ${worst.id} (${(worst.bytes / 1024).toFixed(0)} KiB) the bare parse takes ${formatMs(worst.bareParse.median)}, ` +
      `so the goal needs extraction in ${formatMs(worst.bareParse.median * EXTRACTION_GOAL_RATIO)} or less. ${extractionBreakdown(worst)} ` +
      `The ranged parse alone is ${formatRatio(worst.rangedParse.median / worst.bareParse.median)} of the bare parse.`,
  };
}

function compilerTarget(all: readonly HeaderTimings[]): Target {
  const measured = all.filter((timings) => timings.compiler !== null);
  if (measured.length === 0) {
    return { subject: "bpf.h: C-compiler route ÷ extraction", goal: `≥ ${COMPILER_GOAL_SPEEDUP}× on every bpf.h`, measured: "—", met: null };
  }
  const speedup = (timings: HeaderTimings): number => timings.compiler?.speedup ?? Number.NaN;
  const slowest = measured.reduce((left, right) => (speedup(right) < speedup(left) ? right : left));
  const median = summarize(measured.map(speedup)).median;
  return {
    subject: "bpf.h: C-compiler route ÷ extraction",
    goal: `≥ ${COMPILER_GOAL_SPEEDUP}× on every bpf.h`,
    measured: `lowest ${formatRatio(speedup(slowest))} (${slowest.id}), median over headers ${formatRatio(median)}`,
    met: speedup(slowest) >= COMPILER_GOAL_SPEEDUP,
    limit:
      `On ${slowest.id} the C-compiler route takes ${formatMs(slowest.compiler?.route.median ?? Number.NaN)}, so the goal needs ` +
      `extraction in ${formatMs((slowest.compiler?.route.median ?? Number.NaN) / COMPILER_GOAL_SPEEDUP)} or less. ${extractionBreakdown(slowest)}`,
  };
}

const BPF_H_METHOD =
  "Each bpf.h of the shared headers folder is read and decoded once, and the times exclude reading the file. " +
  "Each round times four tasks in rotated order. They are `extractEnums(header)` (the fast path), its two stages on their own, " +
  "and a bare `parser.parse(text)` of the whole file with the same parser. The stages are the lexical scan " +
  "(`findRegions` and `toTextRanges`) and tree-sitter's parse of the included ranges. " +
  `${WARMUP_ROUNDS} untimed rounds on the first header and ${BPF_H_WARMUPS} on each header warm up, and ${BPF_H_RUNS} are timed. ` +
  "Extract ÷ parse is the median of the per-round ratios. The C-compiler route writes a C program that prints every " +
  "extracted enumerator with printf, compiles it with `cc -O0 -include bpf.h`, runs it and parses its output. One untimed " +
  `run checks its values against extraction, then ${COMPILER_RUNS} runs are timed, each right after three extractions. ` +
  "cc ÷ extract is the median over those runs of the route's time divided by the median of the three extractions " +
  "before it. Times are median (min–max).";

/**
 * Runs extraction and a bare parse of the first header untimed, so that the
 * first header measured does not pay for compiling the extraction code.
 */
async function warmUp(headers: readonly SharedHeader[]): Promise<void> {
  const first = headers.find((header) => existsSync(header.file));
  if (first === undefined) return;
  const header = await readHeader(first.file);
  const parser = cParser();
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    extractEnums(header);
    parser.parse(header.text);
  }
}

/** Measures extraction on every bpf.h of the shared headers folder. */
export async function measureBpfHeaders(): Promise<Section> {
  const notes: string[] = [];
  const skip = sharedHeadersSkipReason();
  const headers = skip === null ? listSharedHeaders().filter((header) => path.basename(header.file) === "bpf.h") : [];
  if (skip !== null) {
    progress(`bpf.h extraction skipped: ${skip}`);
    notes.push(`Not measured: ${skip}.`);
  }
  const compilerSkip = compilerSkipReason();
  if (compilerSkip !== null) {
    progress(`C-compiler route skipped: ${compilerSkip}`);
    notes.push(`C-compiler route not measured: ${compilerSkip}.`);
  }

  await warmUp(headers);
  const all: HeaderTimings[] = [];
  for (const header of headers) {
    if (!existsSync(header.file)) {
      progress(`skipped ${header.id}: ${header.file} not found`);
      notes.push(`Skipped ${header.id}: ${header.file} not found.`);
      continue;
    }
    progress(`extraction: ${header.id}`);
    all.push(await measureHeader(header, compilerSkip === null, notes));
  }

  const columns = ["Header", "KiB", "Extract", "Scan", "Ranged parse", "Bare parse", "Extract ÷ parse", "cc route", "cc ÷ extract"];
  return {
    title: "Extraction from bpf.h",
    method: BPF_H_METHOD,
    tables: all.length === 0 ? [] : [{ columns, rows: all.map(headerRow) }],
    notes,
    targets: all.length === 0 ? [] : [parseRatioTarget(all), compilerTarget(all)],
  };
}

/** Runs a few full-parse extractions of a bpf.h, so the full-parse walk is compiled before it is timed. */
async function warmFullParse(): Promise<void> {
  const anyBpfH = listSharedHeaders().find((header) => path.basename(header.file) === "bpf.h" && existsSync(header.file));
  if (anyBpfH === undefined) return;
  const header = await readHeader(anyBpfH.file);
  for (let run = 0; run < 3; run++) extractEnums(header, { fullParse: true });
}

/** Measures the fast path, the full parse and the C-compiler route on the shared vmlinux.h. */
export async function measureVmlinux(): Promise<Section> {
  const title = "Extraction from vmlinux.h";
  const entry = listSharedHeaders().find((header) => path.basename(header.file) === "vmlinux.h");
  if (entry === undefined || !existsSync(entry.file)) {
    const reason = sharedHeadersSkipReason() ?? "the shared headers manifest lists no vmlinux.h that exists";
    progress(`vmlinux.h skipped: ${reason}`);
    return { title, method: "", tables: [], notes: [`Not measured: ${reason}.`], targets: [] };
  }

  progress(`vmlinux.h: fast path, ${VMLINUX_FAST_RUNS} runs`);
  const header = await readHeader(entry.file);
  const fast = interleave(extractionTasks(header), VMLINUX_FAST_RUNS, 2);
  await warmFullParse();
  progress(`vmlinux.h: full parse and bare parse, ${VMLINUX_FULL_RUNS} runs each (several seconds per run)`);
  const parser = cParser();
  const slow = interleave(
    { fullParse: () => extractEnums(header, { fullParse: true }), bareParse: () => parser.parse(header.text) },
    VMLINUX_FULL_RUNS,
    0,
  );
  collectGarbage();

  const notes: string[] = [];
  const compiler = compilerSkipReason() === null ? await timeCompilerRoute(entry.file, header, notes) : null;
  const extract = summarize(fast.extract);
  const scan = summarize(fast.scan);
  const rangedParse = summarize(fast.rangedParse);
  const bareParse = summarize(slow.bareParse);
  const row = (name: string, summary: Summary): string[] => [name, formatMs(summary.median), `${formatMs(summary.min)}–${formatMs(summary.max)}`, String(summary.runs)];
  const rows = [
    row("Extraction, fast path", extract),
    row("  lexical scan", scan),
    row("  tree-sitter parse of the included ranges", rangedParse),
    row("Extraction, full parse (`fullParse: true`)", summarize(slow.fullParse)),
    row("Bare tree-sitter parse", bareParse),
  ];
  if (compiler !== null) rows.push(row("C-compiler route", compiler.route));

  const walk = extract.median - scan.median - rangedParse.median;
  const rangeCount = toTextRanges(findRegions(header.text, TARGET_TAGS).regions, header.lineStarts).length;
  const target: Target = {
    subject: "vmlinux.h: extraction (fast path)",
    goal: `< ${VMLINUX_GOAL_MS} ms`,
    measured: `${formatMs(extract.median)} (${formatMs(extract.min)}–${formatMs(extract.max)})`,
    met: extract.median < VMLINUX_GOAL_MS,
    limit:
      `Of ${formatMs(extract.median)}, the lexical scan over all ${(header.text.length / 1e6).toFixed(1)} M characters takes ` +
      `${formatMs(scan.median)} and the tree-sitter parse of the ${rangeCount} included ranges ${formatMs(rangedParse.median)}. ` +
      `The remainder, about ${formatMs(walk)} (an estimate), goes to lexing the directives, walking the tree and evaluating the enumerators.`,
  };
  const bytes = (await stat(entry.file)).size;
  return {
    title,
    method:
      `${entry.id}/vmlinux.h, ${(bytes / 1e6).toFixed(1)} MB, read once. The fast path and its stages run interleaved as for bpf.h ` +
      `(2 warm-up rounds, ${VMLINUX_FAST_RUNS} timed). The full-parse extraction and a bare parse run ${VMLINUX_FULL_RUNS} times each, ` +
      `interleaved, for reference. Fast path ÷ bare parse: ${formatRatio(extract.median / bareParse.median)}` +
      (compiler === null ? "." : `; C-compiler route ÷ fast path, paired as for bpf.h: ${formatRatio(compiler.speedup)}.`),
    tables: [{ columns: ["Measurement", "Median", "Min–max", "Runs"], rows }],
    notes,
    targets: [target],
  };
}
