/**
 * `bpf-uapi format --cmds ... --maps ... --progs ... --attachs ...`: prints the
 * delegate options the kernel shows in /proc/mounts for the given values.
 */
import { MASK_KEYS, type MaskKey } from "../enums.js";
import { format } from "../format.js";
import { resolveKernel } from "../kernel.js";
import { parse, type DelegateMasks } from "../parse.js";
import { expectPositionals, flag, KERNEL_HELP, KERNEL_OPTIONS, stringValue, type Command } from "./command.js";
import { EXIT_OK, hexMasks, UsageError, writeJson } from "./io.js";
import { withInput } from "./rejection.js";

export const formatCommand: Command = {
  name: "format",
  summary: "print what /proc/mounts shows for given masks or names",
  help: `Usage: bpf-uapi format [--cmds V] [--maps V] [--progs V] [--attachs V] [--kernel X.Y] [--json]

Prints the delegate options as the kernel shows them in /proc/mounts. Each
value is in kernel syntax: names joined by ":", "any", or a number such as
the hex mask 0x21. Names print in declaration order, aliases as their first
declared name, and bits the kernel drops are left out.

Options:
  --cmds V       delegate_cmds value
  --maps V       delegate_maps value
  --progs V      delegate_progs value
  --attachs V    delegate_attachs value
${KERNEL_HELP}
  -h, --help     show this help

Exit status: 0 printed, 1 a value the kernel rejects, 2 usage error.

Example:
  $ bpf-uapi format --cmds 0x21 --progs xdp --attachs xdp
  delegate_cmds=map_create:prog_load,delegate_progs=xdp,delegate_attachs=xdp
`,
  options: {
    ...KERNEL_OPTIONS,
    cmds: { type: "string" },
    maps: { type: "string" },
    progs: { type: "string" },
    attachs: { type: "string" },
  },
  run(values, positionals, io) {
    expectPositionals("format", positionals, []);
    const tables = resolveKernel(stringValue(values, "kernel"));
    if (MASK_KEYS.every((key) => stringValue(values, key) === undefined)) {
      throw new UsageError('format: no mask given - pass at least one of --cmds, --maps, --progs, --attachs, as in "--cmds 0x21"');
    }

    const masks: DelegateMasks = { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n };
    for (const key of MASK_KEYS) masks[key] = parseMask(stringValue(values, key), key, tables.kernel);
    const shown = format(masks, { kernel: tables });
    if (flag(values, "json")) writeJson(io, { kernel: tables.kernel, masks: hexMasks(masks), shown });
    else io.stdout(`${shown}\n`);
    return EXIT_OK;
  },
};

function parseMask(value: string | undefined, key: MaskKey, kernel: string): bigint {
  if (value === undefined) return 0n;
  return withInput(value, () => parse(value, { kernel, option: `delegate_${key}` })).masks[key];
}
