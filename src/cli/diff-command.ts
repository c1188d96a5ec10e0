/**
 * `bpf-uapi diff VERSION_A VERSION_B`: the delegate names added, removed and
 * aliased per option between two shipped versions.
 */
import { KERNELS } from "../../generated/index.js";
import { diffKernels, type NamedBit, type OptionDiff } from "../diff.js";
import { MASK_KEYS } from "../enums.js";
import { expectPositionals, flag, type Command } from "./command.js";
import { EXIT_OK, paint, table, writeJson, type Io } from "./io.js";

export const diffCommand: Command = {
  name: "diff",
  summary: "list delegate names added, removed and aliased between two versions",
  help: `Usage: bpf-uapi diff VERSION_A VERSION_B [--json]

Lists, for each delegate option, the names VERSION_B accepts that VERSION_A
does not (added), the reverse (removed), names VERSION_B declares as aliases
that VERSION_A did not (aliased), and names whose bit changed (moved).
Versions: ${KERNELS.join(", ")}.

Options:
  --json         print one JSON object instead of text
  -h, --help     show this help

Exit status: 0 compared, 2 usage error or unknown version.

Example:
  $ bpf-uapi diff 6.1 6.18
`,
  options: { json: { type: "boolean" } },
  run(values, positionals, io) {
    expectPositionals("diff", positionals, ["VERSION_A", "VERSION_B"]);
    const diff = diffKernels(positionals[0] ?? "", positionals[1] ?? "");
    if (flag(values, "json")) {
      writeJson(io, diff);
      return EXIT_OK;
    }

    const lines = [`${paint(io, "bold", `Linux ${diff.from} -> ${diff.to}`)}`];
    for (const key of MASK_KEYS) lines.push("", ...optionLines(io, diff.options[key]));
    io.stdout(`${lines.join("\n")}\n`);
    return EXIT_OK;
  },
};

function names(entries: readonly NamedBit[]): string {
  return entries.length === 0 ? "none" : entries.map((entry) => `${entry.name} (${entry.bit})`).join(", ");
}

function optionLines(io: Io, diff: OptionDiff): string[] {
  const rows = [
    [paint(io, "green", "added"), names(diff.added)],
    [paint(io, "red", "removed"), names(diff.removed)],
    ["aliased", diff.aliased.length === 0 ? "none" : diff.aliased.map((entry) => `${entry.name} = ${entry.aliasOf} (${entry.bit})`).join(", ")],
  ];
  if (diff.moved.length > 0) rows.push(["moved", diff.moved.map((entry) => `${entry.name} ${entry.from} -> ${entry.to}`).join(", ")]);
  return [diff.option, table(rows)];
}
