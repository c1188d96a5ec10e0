/**
 * The history of every enumerator across the generated versions: the first
 * and last version that has it and its value. An enumerator whose value
 * changes between versions is a UAPI break and fails generation, unless
 * ALLOWED_BREAKS lists it.
 */
import { ALLOWED_BREAKS, type AllowedBreak } from "./allowed-breaks.js";
import type { UapiModel } from "./model.js";
import { compareKernels } from "./version.js";

export interface NameHistory {
  readonly enumName: string;
  readonly name: string;
  readonly first: string;
  readonly last: string;
  /** The value in the last version that has the name. */
  readonly value: bigint;
  readonly classification: string;
}

/** Raised when an enumerator changes value between two versions. */
export class UapiBreakError extends Error {
  constructor(readonly breaks: readonly string[]) {
    super(breaks.join("\n"));
    this.name = "UapiBreakError";
  }
}

function allowed(list: readonly AllowedBreak[], enumName: string, name: string, from: string, to: string): boolean {
  return list.some((entry) => entry.enumName === enumName && entry.name === name && entry.from === from && entry.to === to);
}

/**
 * Builds the history of every enumerator, oldest version first. Raises
 * UapiBreakError naming both versions of every value change not allowed.
 * `compare` orders the model labels. The default, compareKernels, orders
 * only `MAJOR.MINOR` and `next`, so pass another order for other labels,
 * such as snapshot ids sorted by date.
 */
export function buildHistory(
  models: readonly UapiModel[],
  allowList: readonly AllowedBreak[] = ALLOWED_BREAKS,
  compare: (a: string, b: string) => number = compareKernels,
): NameHistory[] {
  const ordered = [...models].sort((a, b) => compare(a.kernel, b.kernel));
  const entries = new Map<string, NameHistory>();
  const breaks: string[] = [];
  for (const model of ordered) {
    for (const enumModel of model.enums) {
      for (const member of enumModel.members) {
        const key = `${enumModel.spec.cName}\0${member.name}`;
        const earlier = entries.get(key);
        const sentinel = member.classification === "sentinel" || earlier?.classification === "sentinel";
        if (earlier !== undefined && earlier.value !== member.value && !sentinel) {
          if (!allowed(allowList, enumModel.spec.cName, member.name, earlier.last, model.kernel)) {
            breaks.push(
              `enum ${enumModel.spec.cName}: ${member.name} is ${earlier.value} in ${earlier.last} but ${member.value} in ${model.kernel} - a renumbered enumerator breaks the UAPI; if this is intended, add it to generator/allowed-breaks.ts with the reason`,
            );
          }
        }
        entries.set(key, {
          enumName: enumModel.spec.cName,
          name: member.name,
          first: earlier?.first ?? model.kernel,
          last: model.kernel,
          value: member.value,
          classification: member.classification,
        });
      }
    }
  }
  if (breaks.length > 0) throw new UapiBreakError(breaks);
  return [...entries.values()];
}
