/**
 * Compares the delegate names of two shipped kernel versions.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { resolveKernel } from "./kernel.js";
import type { DelegateName, DelegateTable, KernelTables } from "./tables.js";

/** A delegatable name and the bit it sets. */
export interface NamedBit {
  readonly name: string;
  readonly bit: number;
}

/** A name that is an alias in the newer version but was not the same alias in the older one. */
export interface AliasChange extends NamedBit {
  readonly aliasOf: string;
}

/** The changes of one delegate option between two versions. */
export interface OptionDiff {
  readonly option: DelegateOption;
  /** Names the second version accepts and the first does not. */
  readonly added: NamedBit[];
  /** Names the first version accepts and the second does not. */
  readonly removed: NamedBit[];
  /** Names that the second version declares as aliases, where the first had no such alias. */
  readonly aliased: AliasChange[];
  /** Names that both accept but that set different bits. */
  readonly moved: { readonly name: string; readonly from: number; readonly to: number }[];
}

/** The changes between two kernel versions, per delegate option. */
export interface KernelDiff {
  readonly from: string;
  readonly to: string;
  readonly options: Readonly<Record<MaskKey, OptionDiff>>;
}

/**
 * Returns the delegate names added, removed, aliased and moved between the
 * tables of `from` and `to`. Out-of-domain enumerators, which cannot be
 * delegated, are left out.
 */
export function diffKernels(from: string | KernelTables, to: string | KernelTables): KernelDiff {
  const before = resolveKernel(from);
  const after = resolveKernel(to);
  const options = {} as Record<MaskKey, OptionDiff>;
  for (const key of MASK_KEYS) options[key] = diffTables(before[key], after[key]);
  return { from: before.kernel, to: after.kernel, options };
}

function delegatable(table: DelegateTable): Map<string, DelegateName> {
  const names = new Map<string, DelegateName>();
  for (const entry of table.names) {
    if (entry.outOfDomainValue === undefined && !names.has(entry.name)) names.set(entry.name, entry);
  }
  return names;
}

function diffTables(before: DelegateTable, after: DelegateTable): OptionDiff {
  const oldNames = delegatable(before);
  const newNames = delegatable(after);
  const diff: OptionDiff = { option: after.option, added: [], removed: [], aliased: [], moved: [] };

  for (const [name, entry] of newNames) {
    const old = oldNames.get(name);
    if (old === undefined) diff.added.push({ name, bit: entry.bit });
    else if (old.bit !== entry.bit) diff.moved.push({ name, from: old.bit, to: entry.bit });

    if (entry.aliasOf !== undefined && old?.aliasOf !== entry.aliasOf) {
      diff.aliased.push({ name, bit: entry.bit, aliasOf: entry.aliasOf });
    }
  }
  for (const [name, entry] of oldNames) {
    if (!newNames.has(name)) diff.removed.push({ name, bit: entry.bit });
  }
  return diff;
}
