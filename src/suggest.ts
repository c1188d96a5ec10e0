/**
 * Remedies for rejected names: the closest valid name, the delegate option
 * that takes the name instead, or the newer shipped kernel that has it.
 * These run only on the error and warning paths.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { compareKernelLabels, foldAsciiCase, indexTable, resolveKernel, shippedKernels } from "./kernel.js";
import type { DelegateTable, KernelTables } from "./tables.js";

/**
 * Returns the optimal-string-alignment (restricted Damerau-Levenshtein)
 * distance between `left` and `right`, or `limit + 1` once it is known to
 * exceed `limit`. Insertions, deletions, substitutions and swaps of adjacent
 * characters each cost 1.
 */
export function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1;

  let beforePrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, j) => j);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      const swapped = i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1];
      if (swapped) best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(best);
      rowMin = Math.min(rowMin, best);
    }
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[right.length] ?? limit + 1, limit + 1);
}

/** Returns the largest edit distance at which a name still counts as a likely typo of `token`. */
function typoLimit(token: string): number {
  if (token.length <= 3) return 1;
  return token.length <= 7 ? 2 : 3;
}

/**
 * Returns the in-domain name of `table` closest to `token` by edit distance,
 * ties going to the name declared first, or null when none is close.
 */
export function closestName(token: string, table: DelegateTable): string | null {
  const folded = foldAsciiCase(token) ?? token.toLowerCase();
  const limit = typoLimit(folded);
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const entry of table.names) {
    if (entry.outOfDomainValue !== undefined) continue;
    const distance = editDistance(folded, entry.name, bestDistance - 1);
    if (distance < bestDistance) {
      best = entry.name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Returns the delegate options, other than `key` when given, whose tables accept `token` as an in-domain name. */
export function optionsTakingName(token: string, tables: KernelTables, key: MaskKey | null): DelegateOption[] {
  const folded = foldAsciiCase(token);
  if (folded === null) return [];

  const options: DelegateOption[] = [];
  for (const other of MASK_KEYS) {
    if (other === key) continue;
    const entry = indexTable(tables[other]).byName.get(folded);
    if (entry !== undefined && entry.outOfDomainValue === undefined) options.push(tables[other].option);
  }
  return options;
}

/**
 * Returns the oldest shipped kernel newer than `tables.kernel` whose table for
 * `key` has `token` as an in-domain name, or null.
 */
export function newerKernelTaking(token: string, tables: KernelTables, key: MaskKey): string | null {
  const folded = foldAsciiCase(token);
  if (folded === null) return null;

  for (const label of shippedKernels()) {
    if (compareKernelLabels(label, tables.kernel) <= 0) continue;
    const newer = resolveKernel(label);
    if (!newer.delegation) continue;
    const entry = indexTable(newer[key]).byName.get(folded);
    if (entry !== undefined && entry.outOfDomainValue === undefined) return label;
  }
  return null;
}

/** Option names bpffs takes, for suggestions on a misspelt option name. */
const BPFFS_OPTIONS: readonly string[] = ["delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs", "uid", "gid", "mode"];

/**
 * Returns the bpffs option that `key` probably misspells, or null. Option
 * names are case-sensitive in the kernel, so `DELEGATE_CMDS` is a near miss too.
 */
export function closestOptionName(key: string): string | null {
  const folded = foldAsciiCase(key);
  if (folded === null) return null;

  let best: string | null = null;
  let bestDistance = Math.min(2, typoLimit(folded)) + 1;
  for (const option of BPFFS_OPTIONS) {
    if (option.length <= 3 && folded !== option) continue;
    const distance = editDistance(folded, option, bestDistance - 1);
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best;
}

/** Noun for the names of each delegate option, used in messages as in `command name`. */
export const NAME_NOUNS: Readonly<Record<MaskKey, string>> = {
  cmds: "command",
  maps: "map type",
  progs: "program type",
  attachs: "attach type",
};

/** Returns the remedy for a token that is not a valid number, or null when it does not look like one. */
function numberRemedy(token: string): string | null {
  const first = token.charCodeAt(0);
  const looksNumeric = token.startsWith("+") || token.startsWith("-") || (first >= 0x30 && first <= 0x39);
  if (!looksNumeric) return null;

  if (token.startsWith("-")) return "numbers are unsigned, so drop the sign";
  if (/^\+?0[0-7]*[89]/.test(token)) return "a leading 0 makes the number octal, where 8 and 9 are not digits; drop the leading 0";
  if (/^\+?0[xX](?![0-9a-fA-F])/.test(token)) return "0x must be followed by hex digits";
  return "write a decimal, 0x-prefixed hex or 0-prefixed octal number with no spaces or suffix";
}

/**
 * Returns the remedy for `token`, which the kernel rejects as neither a name
 * of `key`'s table nor a number. The first that applies wins: the fix for a
 * number, `any` in lower case, the name without the enum prefix, the option
 * that takes the name, the newer kernel that has it, the closest name, or
 * the accepted forms.
 */
export function invalidTokenRemedy(token: string, tables: KernelTables, key: MaskKey): string {
  const table = tables[key];
  const noun = NAME_NOUNS[key];
  const fromNumber = numberRemedy(token);
  if (fromNumber !== null) return fromNumber;

  const folded = foldAsciiCase(token);
  if (folded === "any") return 'write "any" in lower case, because the kernel compares it case-sensitively';
  if (token.includes(",")) return 'join names with ":", because a comma ends the mount option';

  const prefix = table.prefix.toLowerCase();
  if (folded !== null && folded.startsWith(prefix)) {
    const entry = indexTable(table).byName.get(folded.slice(prefix.length));
    if (entry !== undefined) return `drop the ${table.prefix} prefix and write "${entry.name}"`;
  }

  const others = optionsTakingName(token, tables, key);
  if (others.length > 0) return `${JSON.stringify(folded)} is a name for ${others.join(" and ")}, not ${table.option}`;

  const newer = newerKernelTaking(token, tables, key);
  if (newer !== null) return `${JSON.stringify(folded)} is a ${noun} name in the ${newer} tables, not in ${tables.kernel}`;

  const closest = closestName(token, table);
  const nonAscii = /[^\x00-\x7f]/.exec(token)?.[0];
  if (closest !== null && nonAscii !== undefined) {
    const codePoint = `U+${(nonAscii.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    return `the kernel folds only ASCII letters, so ${codePoint} matches no name; did you mean ${JSON.stringify(closest)}?`;
  }
  if (closest !== null) return `did you mean ${JSON.stringify(closest)}?`;

  const example = table.names.find((entry) => entry.outOfDomainValue === undefined)?.name;
  const sample = example === undefined ? "" : ` such as ${JSON.stringify(example)}`;
  return `use a ${noun} name${sample}, "any", or a number`;
}

/** The delegate option and value of the item before a bare option name. */
export interface PreviousDelegate {
  readonly option: DelegateOption;
  readonly value: string;
}

/**
 * Returns the remedy for an option that bpffs ignores: the option it
 * probably misspells, or how to join names when a comma split a name off
 * the delegate option before it.
 */
export function unknownOptionRemedy(key: string, hasValue: boolean, tables: KernelTables, previous: PreviousDelegate | null): string {
  if (key === "") return "remove it";

  const closest = closestOptionName(key);
  if (closest !== null) return `did you mean ${JSON.stringify(closest)}? option names are case-sensitive`;

  const isSplitName =
    !hasValue && previous !== null && previous.value.length <= 48 && optionsTakingName(key, tables, null).length > 0;
  const example = isSplitName && previous !== null ? `${previous.option}=${previous.value}:${key}` : "delegate_cmds=map_create:prog_load";
  return (
    "a comma ends a mount option, so delegate_cmds=map_create,prog_load hands prog_load to the kernel " +
    `as a separate, ignored option; join names with ":", as in ${example}`
  );
}
