/**
 * Checks on a delegation that the kernel accepts at mount time but that
 * leaves a BPF token unable to do what the masks seem to allow.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { compareKernelLabels, indexTable, resolveKernel, shippedKernels } from "./kernel.js";
import { U64_MAX } from "./number.js";
import type { DelegateMasks } from "./parse.js";
import { NAME_NOUNS } from "./suggest.js";
import type { DelegateTable, KernelTables } from "./tables.js";

/** Stable cause of a lint. */
export type LintCode =
  | "empty-delegation"
  | "progs-without-prog-load"
  | "maps-without-map-create"
  | "progs-without-attachs"
  | "needs-newer-kernel";

/** One finding of `lint`. */
export interface Lint {
  readonly code: LintCode;
  /** `error` when the token cannot do what the option delegates, `warning` otherwise. */
  readonly severity: "error" | "warning";
  /** The option the finding is about, or null when it is about the delegation as a whole. */
  readonly option: DelegateOption | null;
  readonly message: string;
}

/**
 * Returns the lints of `masks` for a kernel: a delegation that delegates
 * nothing, map or program types without the command that creates them,
 * program types without attach types, and bits that only a newer shipped
 * kernel has a name for. Missing masks count as 0. Returns no lints for a
 * kernel without delegation (before 6.9).
 */
export function lint(masks: Partial<DelegateMasks>, options: { kernel?: string | KernelTables } = {}): Lint[] {
  const tables = resolveKernel(options.kernel);
  const full: DelegateMasks = { cmds: masks.cmds ?? 0n, maps: masks.maps ?? 0n, progs: masks.progs ?? 0n, attachs: masks.attachs ?? 0n };
  const lints: Lint[] = [];
  // A kernel without delegation ignores the options, which parse already reports.
  if (!tables.delegation) return lints;

  if (MASK_KEYS.every((key) => full[key] === 0n)) {
    lints.push({
      code: "empty-delegation",
      severity: "error",
      option: null,
      message: "all four delegate masks are 0, so BPF token creation from this mount fails with ENOENT - delegate at least one command, as in delegate_cmds=prog_load",
    });
  }
  lints.push(...lintCreatingCommand(full, tables, "progs", "prog_load"));
  lints.push(...lintCreatingCommand(full, tables, "maps", "map_create"));
  lints.push(...lintAttachTypes(full, tables));
  for (const key of MASK_KEYS) lints.push(...lintNewerNames(full[key], tables, key));
  return lints;
}

/** Returns the bit of `name` in `table`, or null when the kernel has no such name. */
function bitOf(table: DelegateTable, name: string): bigint | null {
  const entry = indexTable(table).byName.get(name);
  return entry === undefined ? null : 1n << BigInt(entry.bit);
}

/** Flags map or program types delegated without the command that creates them. */
function lintCreatingCommand(masks: DelegateMasks, tables: KernelTables, key: "maps" | "progs", command: string): Lint[] {
  const bit = bitOf(tables.cmds, command);
  if ((masks[key] & tables[key].anyMask) === 0n || bit === null || (masks.cmds & bit) !== 0n) return [];

  const option = tables[key].option;
  const noun = NAME_NOUNS[key];
  return [
    {
      code: key === "progs" ? "progs-without-prog-load" : "maps-without-map-create",
      severity: "error",
      option,
      message: `${option}: ${noun}s are delegated but delegate_cmds lacks ${command}, so a token can never use them - add ${command} to delegate_cmds`,
    },
  ];
}

/**
 * Flags program types delegated with no attach type. The kernel checks a
 * token for the expected attach type of every program it loads, and a program
 * type without one loads with attach type 0.
 */
function lintAttachTypes(masks: DelegateMasks, tables: KernelTables): Lint[] {
  if ((masks.progs & tables.progs.anyMask) === 0n || (masks.attachs & tables.attachs.anyMask) !== 0n) return [];

  const zero = tables.attachs.names.find((entry) => entry.bit === 0 && entry.outOfDomainValue === undefined);
  const zeroName = zero?.name ?? "0x1";
  return [
    {
      code: "progs-without-attachs",
      severity: "error",
      option: tables.progs.option,
      message:
        `delegate_progs: program types are delegated but delegate_attachs is empty, and the kernel checks the expected attach type too` +
        ` (${zeroName}, value 0, for a program without one) - add the attach types the programs use, as in delegate_attachs=${zeroName}`,
    },
  ];
}

/**
 * Flags set bits that `tables` has no name for but a newer shipped kernel
 * names. Such a bit is either dropped or printed as a number by the targeted
 * kernel. A mask of all 64 bits (`any`) is not flagged.
 */
function lintNewerNames(mask: bigint, tables: KernelTables, key: MaskKey): Lint[] {
  if (mask === 0n || mask === U64_MAX) return [];

  const table = tables[key];
  const named = new Set(indexTable(table).printable.map((entry) => entry.mask));
  const lints: Lint[] = [];
  for (let bit = 0; bit < 64; bit++) {
    const bitMask = 1n << BigInt(bit);
    if ((mask & bitMask) === 0n || named.has(bitMask)) continue;

    const newer = newerName(tables.kernel, key, bit);
    if (newer === null) continue;
    const target = /^\d/.test(newer.kernel) ? `${newer.kernel} or later` : newer.kernel;
    lints.push({
      code: "needs-newer-kernel",
      severity: "warning",
      option: table.option,
      message: `${table.option}: bit ${bit} has no ${NAME_NOUNS[key]} in Linux ${tables.kernel} but is ${newer.name} in ${newer.kernel} - target ${target}, or drop the bit`,
    });
  }
  return lints;
}

/** Returns the oldest shipped kernel newer than `kernel` that names `bit`, with that name, or null. */
function newerName(kernel: string, key: MaskKey, bit: number): { kernel: string; name: string } | null {
  for (const label of shippedKernels()) {
    if (compareKernelLabels(label, kernel) <= 0) continue;
    const entry = resolveKernel(label)[key].names.find((name) => name.bit === bit && name.outOfDomainValue === undefined && name.aliasOf === undefined);
    if (entry !== undefined) return { kernel: label, name: entry.name };
  }
  return null;
}
