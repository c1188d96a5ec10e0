/**
 * `bpf-uapi parse OPTIONS`: explains each token of a mount option string and
 * prints the masks, what /proc/mounts shows and the lints.
 */
import { format } from "../format.js";
import { lint } from "../lint.js";
import { parse } from "../parse.js";
import { resolveKernel } from "../kernel.js";
import { expectPositionals, flag, KERNEL_HELP, KERNEL_OPTIONS, stringValue, type Command } from "./command.js";
import { EXIT_FINDING, EXIT_OK, writeJson } from "./io.js";
import { buildReport, printReport } from "./report.js";
import { withInput } from "./rejection.js";

export const parseCommand: Command = {
  name: "parse",
  summary: "explain each token of a bpffs mount option string",
  help: `Usage: bpf-uapi parse OPTIONS [--kernel X.Y] [--strict] [--json]

Parses OPTIONS as the kernel parses the options of mount -t bpf -o OPTIONS,
explains every token (option, column, name, bit, alias, severity), and
prints the four masks in hex, what /proc/mounts shows and the lints.

Options:
${KERNEL_HELP}
  --strict       reject what the kernel accepts with a warning, and exit 1
                 when a lint reports an error or warning
  -h, --help     show this help

Exit status: 0 accepted, 1 rejected (or a lint with --strict), 2 usage error.

Example:
  $ bpf-uapi parse delegate_cmds=map_create:prog_load,delegate_maps=hash --json
`,
  options: { ...KERNEL_OPTIONS, strict: { type: "boolean" } },
  run(values, positionals, io) {
    expectPositionals("parse", positionals, ["OPTIONS"]);
    const input = positionals[0] ?? "";
    const tables = resolveKernel(stringValue(values, "kernel"));
    const strict = flag(values, "strict");

    const result = withInput(input, tables, () => parse(input, { kernel: tables, mode: strict ? "strict" : "kernel" }));
    const lints = lint(result.masks, { kernel: tables });
    const report = buildReport(tables, result.masks, result.diagnostics, format(result.masks, { kernel: tables }), lints);
    if (flag(values, "json")) writeJson(io, report);
    else printReport(io, report);
    return strict && lints.length > 0 ? EXIT_FINDING : EXIT_OK;
  },
};
