/**
 * The value of one delegate option: tokens split on `:`, each `any`, a name
 * of the option's enum, or a number as the kernel's kstrtou64 reads it.
 */
import type { MaskKey } from "./enums.js";
import { quote } from "./errors.js";
import { foldAsciiCase, indexTable } from "./kernel.js";
import { detectBase, parseKernelUnsigned, U64_MAX } from "./number.js";
import { note, reject, warn, type ParseState } from "./parse-state.js";
import { invalidTokenRemedy, NAME_NOUNS, withArticle } from "./suggest.js";
import type { DelegateName, DelegateTable } from "./tables.js";

/**
 * Parses one delegate option value: tokens split on `:`, left to right.
 * Names and `any` OR into the value's mask, a number replaces it, and the
 * value's mask is then ORed into the option's mask.
 */
export function parseValue(state: ParseState, key: MaskKey, value: string, valueStart: number): void {
  const table = state.tables[key];
  let mask = 0n;
  let start = 0;
  for (;;) {
    const colon = value.indexOf(":", start);
    const end = colon === -1 ? value.length : colon;
    mask = parseToken(state, table, value.slice(start, end), valueStart + start + 1, mask);
    if (colon === -1) break;
    start = colon + 1;
  }
  state.masks[key] |= mask;
}

/** Parses one token at 1-based `position`, given the value's mask so far, and returns the new mask. */
function parseToken(state: ParseState, table: DelegateTable, token: string, position: number, mask: bigint): bigint {
  const option = table.option;
  const subject = `${option}: ${quote(token)} at column ${position}`;
  if (token === "") {
    const message = `${option}: empty name at column ${position} (EINVAL) - remove the extra ":"`;
    reject(state, { code: "empty-token", option, token, position, message }, "EINVAL");
  }
  if (token === "any") {
    note(state, { code: "any", option, token, position, message: `${subject} sets all 64 bits`, bits: U64_MAX });
    return U64_MAX;
  }

  const entry = lookupName(table, token);
  if (entry !== undefined) return mask | reportName(state, table, entry, token, position);

  const parsed = parseKernelUnsigned(token, 0, 64);
  if (typeof parsed === "string") {
    const problem = parsed === "ERANGE" ? "is larger than 2^64-1" : `is not ${withArticle(NAME_NOUNS[table.key])} name or a number`;
    const remedy = parsed === "ERANGE" ? `use "any" to delegate every ${NAME_NOUNS[table.key]}` : invalidTokenRemedy(token, state.tables, table.key);
    const code = parsed === "ERANGE" ? "number-out-of-range" : "invalid-token";
    reject(state, { code, option, token, position, message: `${subject} ${problem} (${parsed}) - ${remedy}` }, parsed);
  }
  reportNumber(state, table, token, position, parsed, mask);
  return parsed;
}

/** Returns the first enumerator named `token`, compared with ASCII-only case folding. */
function lookupName(table: DelegateTable, token: string): DelegateName | undefined {
  const byName = indexTable(table).byName;
  const exact = byName.get(token);
  if (exact !== undefined) return exact;

  const folded = foldAsciiCase(token);
  return folded === null || folded === token ? undefined : byName.get(folded);
}

/** Records the diagnostic of a name token and returns the bit it sets. */
function reportName(state: ParseState, table: DelegateTable, entry: DelegateName, token: string, position: number): bigint {
  const option = table.option;
  const bits = 1n << BigInt(entry.bit);
  const subject = `${option}: ${quote(token)} at column ${position}`;
  if (entry.outOfDomainValue !== undefined) {
    const value = entry.outOfDomainValue;
    const message =
      `${subject} is ${entry.cName} = ${value}, outside the mask's bits 0 to 63, so the kernel's shift by ${value} is undefined` +
      ` (x86-64 and arm64 set bit ${entry.bit}) - do not delegate it by name`;
    warn(state, { code: "out-of-domain-name", option, token, position, message, bits });
  } else if (entry.aliasOf !== undefined) {
    const message = `${subject} is an alias of ${quote(entry.aliasOf)} and sets bit ${entry.bit} (${entry.cName})`;
    note(state, { code: "alias", option, token, position, message, bits });
  } else {
    note(state, { code: "name", option, token, position, message: `${subject} sets bit ${entry.bit} (${entry.cName})`, bits });
  }
  return bits;
}

/** Records the diagnostic of a number token that replaces the value's mask `mask` with `value`. */
function reportNumber(state: ParseState, table: DelegateTable, token: string, position: number, value: bigint, mask: bigint): void {
  const option = table.option;
  const subject = `${option}: ${quote(token)} at column ${position}`;
  const lost = mask & ~value;
  const unusable = value & ~table.anyMask;
  const limit = table.sentinel === null ? `outside the any mask 0x${table.anyMask.toString(16)}` : `at or above ${table.sentinel.name} (${table.sentinel.value})`;

  if (lost !== 0n) {
    const message = `${subject} replaces the mask built so far in this value, dropping 0x${lost.toString(16)} - put numbers before names, or use one number or names only`;
    warn(state, { code: "number-replaces-mask", option, token, position, message, bits: value });
  } else if (unusable !== 0n && value !== U64_MAX) {
    const message = `${subject} sets bits 0x${unusable.toString(16)} ${limit}, which no ${NAME_NOUNS[table.key]} uses and /proc/mounts never shows - drop those bits, or use "any" for every ${NAME_NOUNS[table.key]}`;
    warn(state, { code: "bits-above-sentinel", option, token, position, message, bits: value });
  } else if (value === U64_MAX) {
    warn(state, { code: "bits-above-sentinel", option, token, position, bits: value, message: `${subject} sets all 64 bits - write "any" instead` });
  } else if (detectBase(token) === 8 && value >= 8n) {
    const message = `${subject} is octal because of its leading 0, so it means ${value}, not ${token.replace(/^\+?0+/, "")} - write ${value} or 0x${value.toString(16)}`;
    warn(state, { code: "octal-number", option, token, position, message, bits: value });
  } else if (token.endsWith("\n")) {
    warn(state, { code: "trailing-newline", option, token, position, bits: value, message: `${subject} ends with a newline, which the kernel skips after a number - remove it` });
  } else {
    note(state, { code: "number", option, token, position, bits: value, message: `${subject} sets the mask to 0x${value.toString(16)}` });
  }
}
