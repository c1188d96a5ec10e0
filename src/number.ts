/**
 * A model of the kernel's kstrtou64 and kstrtouint (lib/kstrtox.c), which
 * read the numbers in delegate options and the bpffs `uid`, `gid` and `mode`
 * options. Behaviour checked on Linux 6.18:
 * - one optional leading `+`; no `-` and no whitespace;
 * - base 0 picks hex for `0x`/`0X` followed by a hex digit, octal for any
 *   other leading `0` (`010` is 8, `09` and `0x` are invalid), else decimal;
 * - one trailing `\n` is allowed, anything else after the digits is invalid;
 * - a value above the type's maximum is ERANGE, and an overflow among the
 *   digits wins over invalid characters after them (`99999999999999999999x`).
 */
import type { Errno } from "./errors.js";

export type NumberBase = 8 | 10 | 16;

export const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

const PLUS = 0x2b;
const ZERO = 0x30;
const LOWER_X = 0x78;
const NEWLINE = 0x0a;

/** Most significant digits (after leading zeros) a value up to 2^64-1 can have, per base. */
const MAX_DIGITS: Readonly<Record<NumberBase, number>> = { 8: 22, 10: 20, 16: 16 };
const BIGINT_PREFIX: Readonly<Record<NumberBase, string>> = { 8: "0o", 10: "", 16: "0x" };

/** Returns the value of a digit character in bases up to 16, or 99 for any other character. */
function digitValue(charCode: number): number {
  if (charCode >= 0x30 && charCode <= 0x39) return charCode - 0x30;
  const lower = charCode | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return 99;
}

/** Returns the index of the first digit, after an optional leading `+`. */
function digitsStart(text: string): number {
  return text.charCodeAt(0) === PLUS ? 1 : 0;
}

/**
 * Returns the base kstrtou64 with base 0 reads `text` in: 16 for `0x` plus a
 * hex digit, 8 for another leading `0`, else 10.
 */
export function detectBase(text: string): NumberBase {
  const start = digitsStart(text);
  if (text.charCodeAt(start) !== ZERO) return 10;

  const isHexPrefix =
    (text.charCodeAt(start + 1) | 0x20) === LOWER_X && digitValue(text.charCodeAt(start + 2)) < 16;
  return isHexPrefix ? 16 : 8;
}

/**
 * Parses `text` as the kernel's kstrtou64 (`bits` 64) or kstrtouint (`bits`
 * 32) does with `radix` 0 (base detection) or 8. Returns the value, or the
 * errno the kernel returns. Runs in time linear in `text.length`.
 */
export function parseKernelUnsigned(text: string, radix: 0 | 8, bits: 32 | 64): bigint | Errno {
  let index = digitsStart(text);
  const base: NumberBase = radix === 8 ? 8 : detectBase(text);
  if (base === 16) index += 2;

  const start = index;
  while (index < text.length && digitValue(text.charCodeAt(index)) < base) index++;
  if (index === start) return "EINVAL";

  // Leading zeros are skipped so that the digit count bounds the value and a
  // huge digit run is rejected without building a huge BigInt.
  let significant = start;
  while (significant < index - 1 && text.charCodeAt(significant) === ZERO) significant++;
  if (index - significant > MAX_DIGITS[base]) return "ERANGE";

  const value = BigInt(BIGINT_PREFIX[base] + text.slice(significant, index));
  if (value > U64_MAX) return "ERANGE";

  if (text.charCodeAt(index) === NEWLINE) index++;
  if (index !== text.length) return "EINVAL";

  if (bits === 32 && value > U32_MAX) return "ERANGE";
  return value;
}

/** The bpffs options that take a number. */
export type OwnerOption = "uid" | "gid" | "mode";

/**
 * Returns the value of a bpffs `uid`, `gid` or `mode` option, or null when
 * Linux 6.18 rejects it (always with EINVAL). `uid` and `gid` are u32 with
 * base detection, except 4294967295, the invalid id -1 (in the initial user
 * namespace; other namespaces reject unmapped ids too). `mode` is an octal u32.
 */
export function parseOwnerValue(key: OwnerOption, value: string | null): bigint | null {
  if (value === null) return null;

  const parsed = parseKernelUnsigned(value, key === "mode" ? 8 : 0, 32);
  if (typeof parsed === "string") return null;
  if (key !== "mode" && parsed === U32_MAX) return null;
  return parsed;
}
