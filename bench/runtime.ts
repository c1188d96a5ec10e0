/**
 * Throughput of the runtime's `parse` and `format` on realistic option
 * strings, against the newest shipped kernel's tables.
 */
import { MASK_KEYS } from "../src/enums.js";
import { format } from "../src/format.js";
import { resolveKernel } from "../src/kernel.js";
import { parse, type DelegateMasks } from "../src/parse.js";
import type { Section, Target } from "./report.js";
import { formatCount, progress, summarize, type Summary } from "./stats.js";

const RUNS = 9;
/** Length of one timed sample; long enough that timer resolution and loop set-up do not matter. */
const SAMPLE_MS = 100;
const WARMUP_MS = 300;
const PARSE_GOAL_OPS = 1_000_000;

/** Short single-option strings, as a container runtime passes one option at a time. */
const SHORT_OPTIONS = [
  "delegate_cmds=prog_load",
  "delegate_maps=hash",
  "delegate_progs=xdp",
  "delegate_attachs=cgroup_inet_ingress",
  "delegate_cmds=any",
  "delegate_maps=ringbuf",
  "delegate_progs=kprobe",
  "delegate_cmds=map_create:prog_load",
];

/** Numeric values: hexadecimal, decimal and octal masks. */
const NUMBER_OPTIONS = [
  "delegate_cmds=0x3f",
  "delegate_maps=1024",
  "delegate_progs=0x7",
  "delegate_attachs=0",
  "delegate_cmds=0x10000000000",
  "delegate_progs=017",
];

/** Masks for the mount strings: a few low bits of each mask, every bit, and scattered high bits. */
const MOUNT_MASKS: readonly DelegateMasks[] = [
  { cmds: 0x3fn, maps: 0x7n, progs: 0x21n, attachs: 0n },
  { cmds: (1n << 64n) - 1n, maps: (1n << 64n) - 1n, progs: (1n << 64n) - 1n, attachs: (1n << 64n) - 1n },
  { cmds: 0x1_0000_2021n, maps: 0x2_0000_0002n, progs: 0x80_0000n, attachs: 0x3n },
];

/** The generic flags /proc/mounts prints before the bpffs options of a typical bpffs mount. */
const MOUNT_PREFIXES = ["rw,nosuid,nodev,noexec,relatime", "rw,nosuid,nodev,noexec,relatime,uid=1000,gid=1000,mode=700"];

/** Builds /proc/mounts option strings: the mount flags, then the delegate options as the kernel prints them. */
function mountStrings(): string[] {
  const strings: string[] = [];
  for (const masks of MOUNT_MASKS) {
    for (const prefix of MOUNT_PREFIXES) strings.push(`${prefix},${format(masks)}`);
  }
  return strings;
}

/** Builds one option string per alias in the default tables, such as `delegate_cmds=prog_run`. */
function aliasStrings(): string[] {
  const tables = resolveKernel();
  const strings: string[] = [];
  for (const key of MASK_KEYS) {
    for (const name of tables[key].names) {
      if (name.aliasOf !== undefined && name.outOfDomainValue === undefined) strings.push(`${tables[key].option}=${name.name}`);
    }
  }
  return strings;
}

/** Keeps results alive so the optimizer cannot drop the measured calls. */
let sink = 0;

/**
 * Returns operations per second, one value per run. Each run calls
 * `operation` on the inputs in turn for about SAMPLE_MS. A warm-up of
 * WARMUP_MS first lets the JIT compile the code.
 */
function throughput<Input>(inputs: readonly Input[], operation: (input: Input) => number): Summary {
  const runFor = (milliseconds: number): { operations: number; elapsed: number } => {
    const start = performance.now();
    let operations = 0;
    let elapsed = 0;
    do {
      for (const input of inputs) sink += operation(input);
      operations += inputs.length;
      elapsed = performance.now() - start;
    } while (elapsed < milliseconds);
    return { operations, elapsed };
  };
  runFor(WARMUP_MS);
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { operations, elapsed } = runFor(SAMPLE_MS);
    samples.push((operations / elapsed) * 1000);
  }
  return summarize(samples);
}

function parseCount(input: string): number {
  return parse(input).diagnostics.length;
}

function formatLength(masks: DelegateMasks): number {
  return format(masks).length;
}

/** Formats operations per second as `median (p10–p90)`. */
function formatOps(summary: Summary): string {
  return `${formatCount(summary.median)} (${formatCount(summary.p10)}–${formatCount(summary.p90)})`;
}

/** Measures parse and format throughput. */
export function measureRuntime(): Section {
  const mounts = mountStrings();
  const aliases = aliasStrings();
  const workloads: Array<{ label: string; inputs: readonly string[] }> = [
    { label: "short single options", inputs: SHORT_OPTIONS },
    { label: "/proc/mounts option strings", inputs: mounts },
    { label: "numbers", inputs: NUMBER_OPTIONS },
    { label: "aliases", inputs: aliases },
    { label: "mix of all the above", inputs: [...SHORT_OPTIONS, ...mounts, ...NUMBER_OPTIONS, ...aliases] },
  ];

  const rows: string[][] = [];
  let short: Summary | null = null;
  for (const workload of workloads) {
    progress(`runtime: parse, ${workload.label}`);
    const result = throughput(workload.inputs, parseCount);
    if (workload.inputs === SHORT_OPTIONS) short = result;
    rows.push([`\`parse\`, ${workload.label}`, String(workload.inputs.length), formatOps(result), `${(1e9 / result.median).toFixed(0)} ns`]);
  }
  progress("runtime: format");
  const masks = [...SHORT_OPTIONS, ...mounts, ...NUMBER_OPTIONS, ...aliases].map((input) => parse(input).masks);
  const formatted = throughput(masks, formatLength);
  rows.push(["`format`, the masks the mix parses to", String(masks.length), formatOps(formatted), `${(1e9 / formatted.median).toFixed(0)} ns`]);

  const shortOps = short ?? summarize([Number.NaN]);
  const target: Target = {
    subject: "`parse`, short option strings",
    goal: `≥ ${formatCount(PARSE_GOAL_OPS)} per second`,
    measured: `${formatCount(shortOps.median)} per second`,
    met: shortOps.median >= PARSE_GOAL_OPS,
    limit:
      `One short option string takes ${(1e9 / shortOps.median).toFixed(0)} ns against a budget of ${(1e9 / PARSE_GOAL_OPS).toFixed(0)} ns. ` +
      "Per call, `parse` splits the string on `,` and `:`, looks up each name in a Map, and builds a diagnostic with a " +
      "message string for every token (quoting the token through `quote`).",
  };
  return {
    title: "Runtime throughput",
    method:
      "`parse(input)` and `format(masks)` with the default (newest shipped) kernel tables, called in a tight loop over each " +
      `input set in turn. ${WARMUP_MS} ms of untimed calls warm up the JIT, then ${RUNS} runs of about ${SAMPLE_MS} ms each are timed. ` +
      "Operations per second are the median (p10–p90) over runs; time per call is the inverse of the median. The mount strings are " +
      `the generic flags of a bpffs line in /proc/mounts (${MOUNT_PREFIXES.map((prefix) => `\`${prefix}\``).join(" or ")}) followed by ` +
      "the delegate options as `format` prints them. The runtime is imported from the TypeScript sources through tsx, which " +
      `transpiles but does not bundle or minify. Inputs: ${SHORT_OPTIONS.map((input) => `\`${input}\``).join(", ")}; numbers ` +
      `${NUMBER_OPTIONS.map((input) => `\`${input}\``).join(", ")}; aliases ${aliases.map((input) => `\`${input}\``).join(", ")}.`,
    tables: [{ columns: ["Operation", "Inputs", "Operations per second", "Per call"], rows }],
    notes: sink === 0 ? ["No call returned a result, so the measured loop may have been optimized away."] : [],
    targets: [target],
  };
}
