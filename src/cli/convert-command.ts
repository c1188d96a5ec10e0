/**
 * `bpf-uapi convert INPUT --to kernel|hex|systemd`: the same delegation in
 * kernel syntax, as hex masks, or as systemd BPFDelegate settings, from
 * kernel syntax or systemd syntax.
 */
import { MASK_KEYS } from "../enums.js";
import { format } from "../format.js";
import { resolveKernel } from "../kernel.js";
import { parse, type DelegateMasks, type Diagnostic } from "../parse.js";
import { parseSystemd, toSystemd } from "../systemd.js";
import type { KernelTables } from "../tables.js";
import { flag, KERNEL_HELP, KERNEL_OPTIONS, stringValue, type Command } from "./command.js";
import { EXIT_OK, hex, hexMasks, paint, UsageError, writeJson, type Io } from "./io.js";
import { withInput } from "./rejection.js";
import { explain } from "./report.js";

const TARGETS = ["kernel", "hex", "systemd"] as const;
const SOURCES = ["kernel", "systemd"] as const;

export const convertCommand: Command = {
  name: "convert",
  summary: "convert between kernel syntax, hex masks and systemd settings",
  help: `Usage: bpf-uapi convert INPUT... --to kernel|hex|systemd [--from kernel|systemd] [--kernel X.Y] [--strict] [--json]

Converts a delegation between the bpffs mount options (kernel syntax), hex
masks (delegate_cmds=0x21) and the systemd unit settings BPFDelegateCommands=,
BPFDelegateMaps=, BPFDelegatePrograms= and BPFDelegateAttachments= (systemd
258+, with PrivateBPF=yes), whose values are comma-separated names such as
BPFMapCreate, BPFMapTypeHash, BPFProgTypeXdp, BPFCgroupInetIngress, or any.

INPUT is a mount option string or systemd settings. Several INPUT arguments,
or the lines of standard input with "-" (a unit file works), are joined with
commas for kernel syntax and read as separate lines for systemd syntax.

Kernel-syntax INPUT is parsed as "bpf-uapi parse" parses it. Its warnings
(parts the kernel ignores or changes) go to standard error, and --json lists
every token in "diagnostics". When nothing is delegated, standard output
stays empty and a note on standard error says so.

Options:
  --to FORMAT    kernel (as /proc/mounts shows it), hex or systemd
  --from FORMAT  kernel or systemd (default: systemd when INPUT mentions a
                 BPFDelegate setting or a [section], else kernel)
  --strict       reject kernel-syntax INPUT that draws a warning, and exit 1
${KERNEL_HELP}
  -h, --help     show this help

Exit status: 0 converted, 1 input the kernel or systemd rejects (or a
warning with --strict), 2 usage error.

Example:
  $ bpf-uapi convert delegate_cmds=map_create:prog_load,delegate_progs=xdp --to systemd
  BPFDelegateCommands=BPFMapCreate,BPFProgLoad
  BPFDelegatePrograms=BPFProgTypeXdp
`,
  options: { ...KERNEL_OPTIONS, to: { type: "string" }, from: { type: "string" }, strict: { type: "boolean" } },
  async run(values, positionals, io) {
    const to = choice(values, "to", TARGETS, true);
    if (positionals.length === 0) throw new UsageError('convert: missing INPUT - pass a mount option string, systemd settings or "-" for standard input');
    const tables = resolveKernel(stringValue(values, "kernel"));
    const parts = await readInput(positionals, io);
    const from = choice(values, "from", SOURCES, false) ?? (/BPFDelegate|^\s*\[/im.test(parts.join("\n")) ? "systemd" : "kernel");
    // Kernel syntax is one option string, so separate arguments or lines join with commas.
    const input = parts.join(from === "kernel" ? "," : "\n");

    const mode = flag(values, "strict") ? "strict" : "kernel";
    const parsed = from === "systemd"
      ? { masks: parseSystemd(input, { kernel: tables }), diagnostics: [] }
      : withInput(input, tables, () => parse(input, { kernel: tables, mode }));
    const output = render(parsed.masks, to, tables);
    if (flag(values, "json")) {
      const diagnostics = parsed.diagnostics.map((diagnostic) => explain(diagnostic, tables));
      writeJson(io, { kernel: tables.kernel, from, to, masks: hexMasks(parsed.masks), output, diagnostics });
      return EXIT_OK;
    }

    printText(io, output, parsed.diagnostics, tables.kernel);
    return EXIT_OK;
  },
};

function choice<T extends string>(values: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[], required: true): T;
function choice<T extends string>(values: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[], required: false): T | undefined;
function choice<T extends string>(values: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[], required: boolean): T | undefined {
  const value = values[name];
  if (value === undefined && !required) return undefined;
  const match = allowed.find((candidate) => candidate === value);
  if (match !== undefined) return match;
  const problem = value === undefined ? `missing --${name}` : `--${name} ${JSON.stringify(value)} is not a format`;
  throw new UsageError(`convert: ${problem} - use --${name} ${allowed.join(", --" + name + " ")}`);
}

/**
 * Prints `output` on stdout, or a note on stderr when it is empty, after the
 * warnings among `diagnostics` on stderr, so no dropped input goes unnoticed.
 */
function printText(io: Io, output: string, diagnostics: readonly Diagnostic[], kernel: string): void {
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity === "warning") io.stderr(`${paint(io, "yellow", "bpf-uapi: warning:")} ${diagnostic.message}\n`);
  }
  if (output === "") {
    io.stderr(`${paint(io, "cyan", "bpf-uapi: note:")} convert: output is empty because the input delegates nothing that Linux ${kernel} keeps\n`);
  } else {
    io.stdout(`${output}\n`);
  }
}

/** Returns the input lines: the arguments, or the non-empty lines of standard input for "-". */
async function readInput(positionals: readonly string[], io: Io): Promise<string[]> {
  if (positionals.length === 1 && positionals[0] === "-") return (await io.readStdin()).split(/\r?\n/).filter((line) => line.trim() !== "");
  return [...positionals];
}

/** Returns the delegation in the target syntax; systemd settings are one per line. */
function render(masks: DelegateMasks, to: (typeof TARGETS)[number], tables: KernelTables): string {
  if (to === "kernel") return format(masks, { kernel: tables });
  if (to === "systemd") return toSystemd(masks, { kernel: tables }).join("\n");
  return MASK_KEYS.filter((key) => masks[key] !== 0n)
    .map((key) => `${tables[key].option}=${hex(masks[key])}`)
    .join(",");
}
