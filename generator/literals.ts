/**
 * Integer and character constants of C (C11 6.4.4.1 and 6.4.4.4), typed as
 * GCC types them on LP64 targets.
 */
import { INT, LONG, UNSIGNED_INT, UNSIGNED_LONG, fits, type IntegerType, type TypedValue } from "./ctypes.js";

/** Thrown for a literal that is not a valid integer constant; the caller adds the location. */
export class LiteralError extends Error {}

const HEX_DIGITS = "0123456789abcdef";

function digitValue(char: string): number {
  return HEX_DIGITS.indexOf(char.toLowerCase());
}

/** Splits `0x1fULL` into base, digits and suffix. */
function splitLiteral(text: string): { base: 8 | 10 | 16 | 2; digits: string; suffix: string } {
  let base: 8 | 10 | 16 | 2 = 10;
  let start = 0;
  if (/^0[xX]/.test(text)) {
    base = 16;
    start = 2;
  } else if (/^0[bB]/.test(text)) {
    base = 2;
    start = 2;
  } else if (text.startsWith("0")) {
    base = 8;
  }
  let end = start;
  while (end < text.length) {
    const value = digitValue(text[end] ?? "");
    if (value === -1 || value >= (base === 8 ? 10 : base)) break;
    end++;
  }
  return { base, digits: text.slice(start, end), suffix: text.slice(end) };
}

/** Candidate types for a constant, in order, by suffix and by whether it is decimal. */
function candidateTypes(suffix: string, decimal: boolean): IntegerType[] | null {
  switch (suffix.toLowerCase()) {
    case "":
      return decimal ? [INT, LONG] : [INT, UNSIGNED_INT, LONG, UNSIGNED_LONG];
    case "u":
      return [UNSIGNED_INT, UNSIGNED_LONG];
    case "l":
    case "ll":
      return decimal ? [LONG] : [LONG, UNSIGNED_LONG];
    case "ul":
    case "lu":
    case "ull":
    case "llu":
      return [UNSIGNED_LONG];
    default:
      return null;
  }
}

/** Parses an integer constant such as `42`, `0x1f`, `010` or `1ULL`. */
export function parseIntegerLiteral(text: string): TypedValue {
  const { base, digits, suffix } = splitLiteral(text);
  const decimal = base === 10;
  if (base === 8 && /[89]/.test(digits)) {
    throw new LiteralError(`invalid digit in octal constant ${text}`);
  }
  if (digits === "" && base !== 8) throw new LiteralError(`invalid integer constant ${text}`);
  if (/[.eEpP]/.test(suffix) && !(base === 16 && !/[.pP]/.test(suffix))) {
    throw new LiteralError(`floating constant ${text} is not an integer constant`);
  }
  const types = candidateTypes(suffix, decimal);
  if (types === null) throw new LiteralError(`invalid suffix "${suffix}" on integer constant ${text}`);
  let value = 0n;
  for (const char of digits === "" ? "0" : digits) value = value * BigInt(base) + BigInt(digitValue(char));
  for (const type of types) {
    if (fits(value, type)) return { value, type };
  }
  if (value <= (1n << 64n) - 1n) {
    // GCC gives a decimal constant above LONG_MAX the type unsigned long, with a warning.
    return { value, type: UNSIGNED_LONG };
  }
  throw new LiteralError(`integer constant ${text} is too large for any integer type (the maximum is 2^64-1)`);
}

const SIMPLE_ESCAPES = new Map<string, number>([
  ["n", 10], ["t", 9], ["r", 13], ["0", 0], ["\\", 92], ["'", 39], ['"', 34], ["?", 63],
  ["a", 7], ["b", 8], ["f", 12], ["v", 11], ["e", 27],
]);

/**
 * Parses a plain character constant such as `'a'` or `'\n'`. Its type is int
 * and, as GCC does with a signed char, bytes above 127 are negative.
 */
export function parseCharLiteral(text: string): TypedValue {
  if (!text.startsWith("'") || !text.endsWith("'") || text.length < 3) {
    throw new LiteralError(`unsupported character constant ${text} (only plain 'c' constants are read)`);
  }
  const body = text.slice(1, -1);
  let code: number;
  if (body.startsWith("\\")) {
    code = escapeValue(body, text);
  } else if (body.length === 1 && body.charCodeAt(0) < 0x80) {
    code = body.charCodeAt(0);
  } else {
    throw new LiteralError(`unsupported character constant ${text} (multi-character or non-ASCII)`);
  }
  return { value: BigInt.asIntN(8, BigInt(code)), type: INT };
}

function escapeValue(body: string, text: string): number {
  const rest = body.slice(1);
  const simple = rest.length === 1 ? SIMPLE_ESCAPES.get(rest) : undefined;
  if (simple !== undefined) return simple;
  if (/^[0-7]{1,3}$/.test(rest)) return Number.parseInt(rest, 8) & 0xff;
  if (/^x[0-9a-fA-F]{1,2}$/.test(rest)) return Number.parseInt(rest.slice(1), 16);
  throw new LiteralError(`unsupported escape in character constant ${text}`);
}
