/**
 * `bpf-uapi format --cmds ... --maps ... --progs ... --attachs ...`: prints the
 * delegate options the kernel shows in /proc/mounts for the given values.
 */
import { MASK_KEYS, type MaskKey } from "../enums.js";
import { format } from "../format.js";
import { resolveKernel } from "../kernel.js";
import { parse, type DelegateMasks } from "../parse.js";
import type { KernelTables } from "../tables.js";
import { expectPositionals, flag, KERNEL_HELP, KERNEL_OPTIONS, stringValue, stringValues, type Command } from "./command.js";
import { EXIT_OK, hexMasks, UsageError, writeJson } from "./io.js";
import { withInput } from "./rejection.js";

export const formatCommand: Command = {
  name: "format",
  summary: "print what /proc/mounts shows for given masks or names",
  help: `Usage: bpf-uapi format [--cmds V] [--maps V] [--progs V] [--attachs V] [--kernel X.Y] [--json]

Prints the delegate options as the kernel shows them in /proc/mounts. Each
value is in kernel syntax: names joined by ":", "any", or a number such as
the hex mask 0x21. Names print in declaration order, aliases as their first
declared name, and bits the kernel drops are left out. A repeated flag ORs
its values, as the kernel ORs repeated options: --cmds 1 --cmds 2 is 0x3.

Options:
  --cmds V       delegate_cmds value (repeatable)
  --maps V       delegate_maps value (repeatable)
  --progs V      delegate_progs value (repeatable)
  --attachs V    delegate_attachs value (repeatable)
${KERNEL_HELP}
  -h, --help     show this help

Exit status: 0 printed, 1 a value the kernel rejects, 2 usage error.

Example:
  $ bpf-uapi format --cmds 0x21 --progs xdp --attachs xdp
  delegate_cmds=map_create:prog_load,delegate_progs=xdp,delegate_attachs=xdp
`,
  options: {
    ...KERNEL_OPTIONS,
    cmds: { type: "string", multiple: true },
    maps: { type: "string", multiple: true },
    progs: { type: "string", multiple: true },
    attachs: { type: "string", multiple: true },
  },
  run(values, positionals, io) {
    expectPositionals("format", positionals, []);
    const tables = resolveKernel(stringValue(values, "kernel"));
    if (MASK_KEYS.every((key) => stringValues(values, key).length === 0)) {
      throw new UsageError('format: no mask given - pass at least one of --cmds, --maps, --progs, --attachs, as in "--cmds 0x21"');
    }

    const masks: DelegateMasks = { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n };
    for (const key of MASK_KEYS) masks[key] = parseMask(stringValues(values, key), key, tables);
    const shown = format(masks, { kernel: tables });
    if (flag(values, "json")) writeJson(io, { kernel: tables.kernel, masks: hexMasks(masks), shown });
    else io.stdout(`${shown}\n`);
    return EXIT_OK;
  },
};

/** Parses each value of one flag in kernel syntax and ORs the masks, as the kernel does for a repeated option. */
function parseMask(optionValues: readonly string[], key: MaskKey, tables: KernelTables): bigint {
  let mask = 0n;
  for (const value of optionValues) {
    mask |= withInput(value, tables, () => parse(value, { kernel: tables, option: `delegate_${key}` })).masks[key];
  }
  return mask;
}
