/**
 * Remedies for rejected names: the closest valid name, the delegate option
 * that takes the name instead, or the shipped version that has it.
 * These run only on the error and warning paths.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { compareReleases, nameSpan, type NameSpan } from "./history.js";
import { foldAsciiCase, indexTable } from "./kernel.js";
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
 * Returns the remedy for `token` when a shipped version other than
 * `tables.kernel` has it as a name of `key`'s table, or null when no
 * shipped version has it.
 */
export function historyRemedy(token: string, tables: KernelTables, key: MaskKey): string | null {
  const span = nameSpan(key, token);
  if (span === null) return null;
  return nameSpanRemedy(foldAsciiCase(token) ?? token, span, tables.kernel);
}

/**
 * Returns the remedy for `name`, which the tables for `kernel` lack but the
 * shipped versions in `span` have: the newer or older version to target, or,
 * when `kernel` lies inside the span, that the tables lack it.
 */
export function nameSpanRemedy(name: string, span: NameSpan, kernel: string): string {
  if (compareReleases(span.first, kernel) > 0) {
    return `${name} needs a newer kernel: the first shipped version that has it is ${span.first}`;
  }
  if (compareReleases(span.last, kernel) < 0) {
    return `${name} needs an older kernel: the last shipped version that has it is ${span.last}`;
  }
  const versions = span.first === span.last ? `version ${span.first} has` : `versions ${span.first} and ${span.last} have`;
  return `${name} is missing from the ${kernel} tables, although shipped ${versions} it`;
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

/** Returns `noun` after its indefinite article: "a command", "an attach type". */
export function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

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
 * that takes the name, the shipped version that has it, the closest name, or
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

  const fromHistory = historyRemedy(token, tables, key);
  if (fromHistory !== null) return fromHistory;

  const closest = closestName(token, table);
  const nonAscii = /[^\x00-\x7f]/.exec(token)?.[0];
  if (closest !== null && nonAscii !== undefined) {
    const codePoint = `U+${(nonAscii.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    return `the kernel folds only ASCII letters, so ${codePoint} matches no name; did you mean ${JSON.stringify(closest)}?`;
  }
  if (closest !== null) return `did you mean ${JSON.stringify(closest)}?`;

  // An unspec name (enumerator 0 of maps and programs) is a placeholder,
  // not a useful example, so the example is the first other name.
  const example = table.names.find((entry) => entry.outOfDomainValue === undefined && entry.name !== "unspec")?.name;
  const sample = example === undefined ? "" : ` such as ${JSON.stringify(example)}`;
  return `use ${withArticle(noun)} name${sample}, "any", or a number`;
}

/** The delegate option and value of the item before a bare option name. */
export interface PreviousDelegate {
  readonly key: MaskKey;
  readonly value: string;
}

/**
 * Returns whether the option `key`, which bpffs ignores, is a name of the
 * delegate option just before it, so that a comma probably split it off
 * that option's value, as in `delegate_progs=xdp,kprobe`.
 */
export function isSplitName(key: string, hasValue: boolean, tables: KernelTables, previous: PreviousDelegate | null): previous is PreviousDelegate {
  if (hasValue || previous === null) return false;

  const folded = foldAsciiCase(key);
  if (folded === null) return false;
  const entry = indexTable(tables[previous.key]).byName.get(folded);
  return entry !== undefined && entry.outOfDomainValue === undefined;
}

/** Maximum length of a previous value that a message about a split name repeats in full. */
const MAX_EXAMPLE_VALUE_LENGTH = 48;

/** Returns the value of `previous` for a message, or "..." when it is too long to repeat. */
export function shortValue(previous: PreviousDelegate): string {
  return previous.value.length <= MAX_EXAMPLE_VALUE_LENGTH ? previous.value : "...";
}

/**
 * Returns the remedy for an option that bpffs ignores and that is not a
 * name split off the option before it: the bpffs option that `key`
 * probably misspells, or removing it.
 */
export function unknownOptionRemedy(key: string): string {
  if (key === "") return "remove it";

  const closest = closestOptionName(key);
  if (closest !== null && foldAsciiCase(key) === closest) {
    return `did you mean ${JSON.stringify(closest)}? option names are case-sensitive`;
  }
  if (closest !== null) return `did you mean ${JSON.stringify(closest)}?`;
  return `remove it, or use one of the bpffs options ${BPFFS_OPTIONS.join(", ")}`;
}
