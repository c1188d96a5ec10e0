/**
 * Expectations derived from the shipped tables in generated/index.ts, so
 * tests keep passing when a version is added as the README's "Add a kernel
 * version" steps describe.
 */
import { KERNEL_TABLES, KERNELS } from "../../generated/index.js";
import type { MaskKey } from "../../src/enums.js";

/** A version label that no shipped table set uses, for unknown-kernel cases. */
export const UNSHIPPED_KERNEL = "5.99";

/** The shipped version labels as the unknown-kernel message lists them: `6.1, 6.18, next`. */
export const SHIPPED_LIST = KERNELS.join(", ");

/**
 * Returns the first and last shipped versions whose `key` table has `name`
 * (compared in ASCII lower case), found by scanning every shipped table, or
 * null when none has it.
 */
export function shippedSpan(key: MaskKey, name: string): { first: string; last: string } | null {
  const folded = name.toLowerCase();
  const having = KERNELS.filter((kernel) => KERNEL_TABLES[kernel][key].names.some((entry) => entry.name === folded));
  const first = having[0];
  const last = having.at(-1);
  return first === undefined || last === undefined ? null : { first, last };
}
