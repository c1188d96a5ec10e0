/**
 * C integer types and integer constants as GCC sees them on LP64 targets
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

/** The smallest of int, long and unsigned long that holds an enumerator's value, as GCC types it. */
export function enumeratorType(value: bigint): IntegerType {
  if (fits(value, INT)) return INT;
  if (fits(value, LONG)) return LONG;
  return UNSIGNED_LONG;
}

/**
 * The common type of two operands after the integer promotions, by the usual
 * arithmetic conversions of C11 6.3.1.8. int and long here are the only ranks
 * that exist after promotion, and long long behaves as long.
 */
export function commonType(left: IntegerType, right: IntegerType): IntegerType {
  if (left.signed === right.signed) return left.bits >= right.bits ? left : right;
  const unsigned = left.signed ? right : left;
  const signed = left.signed ? left : right;
  if (unsigned.bits >= signed.bits) return unsigned;
  return signed;
}

/** Type names a cast may use, with the type they convert to. */
const CAST_TYPES = new Map<string, IntegerType>([
  ["int", INT],
  ["signed", INT],
  ["signed int", INT],
  ["unsigned", UNSIGNED_INT],
  ["unsigned int", UNSIGNED_INT],
  ["long", LONG],
  ["long int", LONG],
  ["signed long", LONG],
  ["long long", LONG],
  ["long long int", LONG],
  ["signed long long", LONG],
  ["unsigned long", UNSIGNED_LONG],
  ["unsigned long int", UNSIGNED_LONG],
  ["unsigned long long", UNSIGNED_LONG],
  ["unsigned long long int", UNSIGNED_LONG],
]);

/** Widths of the narrow types, which a cast truncates to before promoting to int. */
const NARROW_TYPES = new Map<string, { bits: number; signed: boolean }>([
  ["char", { bits: 8, signed: true }],
  ["signed char", { bits: 8, signed: true }],
  ["unsigned char", { bits: 8, signed: false }],
  ["short", { bits: 16, signed: true }],
  ["short int", { bits: 16, signed: true }],
  ["signed short", { bits: 16, signed: true }],
  ["unsigned short", { bits: 16, signed: false }],
  ["unsigned short int", { bits: 16, signed: false }],
  ["_Bool", { bits: 1, signed: false }],
]);

/**
 * Converts a value by a cast to a standard integer type named by its
 * keywords (`unsigned long`), or returns null for a type this evaluator does
 * not know. The result of a cast to a narrow type is promoted to int.
 */
export function castTo(typeName: string, operand: TypedValue): TypedValue | null {
  const normalized = typeName.split(/\s+/).filter((word) => word !== "").join(" ");
  const narrow = NARROW_TYPES.get(normalized);
  if (narrow !== undefined) {
    const value =
      normalized === "_Bool"
        ? operand.value === 0n
          ? 0n
          : 1n
        : narrow.signed
          ? BigInt.asIntN(narrow.bits, operand.value)
          : BigInt.asUintN(narrow.bits, operand.value);
    return { value, type: INT };
  }
  const type = CAST_TYPES.get(normalized);
  if (type === undefined) return null;
  return { value: wrap(operand.value, type), type };
}
