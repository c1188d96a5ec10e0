/**
 * C integer types and integer constants as GCC types them on LP64 targets
 * (x86-64, arm64 Linux): int is 32 bits, long and long long are 64 bits.
 */

export interface IntegerType {
  readonly bits: 32 | 64;
  readonly signed: boolean;
  /** The C spelling, for messages. */
  readonly name: string;
}

export const INT: IntegerType = { bits: 32, signed: true, name: "int" };
export const UNSIGNED_INT: IntegerType = { bits: 32, signed: false, name: "unsigned int" };
export const LONG: IntegerType = { bits: 64, signed: true, name: "long" };
export const UNSIGNED_LONG: IntegerType = { bits: 64, signed: false, name: "unsigned long" };

/** A value of an integer constant expression: a mathematical integer and its C type. */
export interface TypedValue {
  readonly value: bigint;
  readonly type: IntegerType;
}

export function minOf(type: IntegerType): bigint {
  return type.signed ? -(1n << BigInt(type.bits - 1)) : 0n;
}

export function maxOf(type: IntegerType): bigint {
  return type.signed ? (1n << BigInt(type.bits - 1)) - 1n : (1n << BigInt(type.bits)) - 1n;
}

export function fits(value: bigint, type: IntegerType): boolean {
  return value >= minOf(type) && value <= maxOf(type);
}

/** Converts a value to a type by keeping its low bits, as GCC does for every integer conversion. */
export function wrap(value: bigint, type: IntegerType): bigint {
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

/** Returns the smallest of int, long and unsigned long that can represent an enumerator's value, as GCC types it. */
export function enumeratorType(value: bigint): IntegerType {
  if (fits(value, INT)) return INT;
  if (fits(value, LONG)) return LONG;
  return UNSIGNED_LONG;
}

/**
 * Returns the common type of two operands after the integer promotions, by
 * the usual arithmetic conversions of C11 6.3.1.8. int and long here are the only ranks
 * that exist after promotion, and long long behaves as long.
 */
export function commonType(left: IntegerType, right: IntegerType): IntegerType {
  if (left.signed === right.signed) return left.bits >= right.bits ? left : right;
  const unsigned = left.signed ? right : left;
  const signed = left.signed ? left : right;
  if (unsigned.bits >= signed.bits) return unsigned;
  return signed;
}

/** The type a cast converts to: an integer type of `bits` bits, or _Bool. */
export interface CastTarget {
  readonly bits: number;
  readonly signed: boolean;
  readonly bool: boolean;
  /** The C spelling, for messages. */
  readonly name: string;
}

/**
 * Returns the standard integer type that a list of type specifiers names, in
 * any order (`long unsigned int`), or null when the words
 * are not one (a qualifier, a typedef name, a pointer). char is signed, as
 * GCC makes it on x86-64.
 */
export function standardIntegerType(words: readonly string[]): CastTarget | null {
  const counts = new Map<string, number>();
  for (const word of words) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const count = (word: string): number => counts.get(word) ?? 0;
  const known = ["signed", "unsigned", "char", "short", "int", "long", "_Bool"];
  if ([...counts.keys()].some((word) => !known.includes(word)) || words.length === 0) return null;
  const signedness = count("signed") + count("unsigned");
  if (signedness > 1 || count("char") > 1 || count("short") > 1 || count("int") > 1 || count("long") > 2) return null;
  const signed = count("unsigned") === 0;
  const name = words.join(" ");
  if (count("_Bool") === 1) return words.length === 1 ? { bits: 1, signed: false, bool: true, name } : null;
  if (count("char") === 1) {
    return count("short") + count("int") + count("long") === 0 ? { bits: 8, signed, bool: false, name } : null;
  }
  if (count("short") === 1) return count("long") === 0 ? { bits: 16, signed, bool: false, name } : null;
  return { bits: count("long") > 0 ? 64 : 32, signed, bool: false, name };
}

/**
 * Converts a value by a cast. The result of a cast to a type narrower than
 * int is promoted to int, as it is wherever the value is then used.
 */
export function castTo(target: CastTarget, operand: TypedValue): TypedValue {
  if (target.bool) return { value: operand.value === 0n ? 0n : 1n, type: INT };
  const value = target.signed ? BigInt.asIntN(target.bits, operand.value) : BigInt.asUintN(target.bits, operand.value);
  if (target.bits < 32) return { value, type: INT };
  if (target.bits === 32) return { value, type: target.signed ? INT : UNSIGNED_INT };
  return { value, type: target.signed ? LONG : UNSIGNED_LONG };
}
