/**
 * Prints delegate masks the way the kernel shows them in the options column
 * of /proc/mounts (checked on Linux 6.18).
 */
import { MASK_KEYS, type MaskKey } from "./enums.js";
import { BpfUapiError } from "./errors.js";
import { indexTable, resolveKernel } from "./kernel.js";
import { U64_MAX } from "./number.js";
import type { DelegateMasks } from "./parse.js";
import type { KernelTables } from "./tables.js";

/**
 * Returns the delegate options for `masks` as /proc/mounts prints them,
 * joined by `,` in the order cmds, maps, progs, attachs: `delegate_cmds=any,delegate_maps=hash`.
 * Missing masks count as 0, and a kernel without delegation prints "".
 * Throws a BpfUapiError with code `invalid-mask` for a mask that is not a
 * bigint from 0 to 2^64-1.
 */
export function format(masks: Partial<DelegateMasks>, options: { kernel?: string | KernelTables } = {}): string {
  const tables = resolveKernel(options.kernel);
  const printed: string[] = [];
  for (const key of MASK_KEYS) {
    const text = formatOption(key, masks[key] ?? 0n, tables);
    if (text !== "") printed.push(text);
  }
  return printed.join(",");
}

/**
 * Returns one delegate option as /proc/mounts prints it, or "" when it prints
 * nothing. Bits outside the table's any mask are dropped first. The remaining
 * mask prints `any` when it equals the any mask. Otherwise it prints the names
 * of its set bits in declaration order, so a bit's first declared name wins
 * over its aliases, and then the bits no name covers as one hex number.
 */
export function formatOption(key: MaskKey, mask: bigint, tables: KernelTables): string {
  validateMask(key, mask);
  if (!tables.delegation) return "";

  const table = tables[key];
  let remaining = mask & table.anyMask;
  if (remaining === 0n) return "";
  if (remaining === table.anyMask) return `${table.option}=any`;

  // NOTE: out-of-domain names are left out, so their bits print as a number
  // or under an in-domain name declared earlier. On x86-64 and arm64 the
  // kernel's undefined shift would print such a name for a bit no in-domain
  // name covers, which no shipped table has.
  const names: string[] = [];
  for (const { name, mask: bit } of indexTable(table).printable) {
    if ((remaining & bit) === 0n) continue;
    names.push(name);
    remaining &= ~bit;
  }
  if (remaining !== 0n) names.push(`0x${remaining.toString(16)}`);
  return `${table.option}=${names.join(":")}`;
}

/** Throws unless `mask` is a bigint that fits in the kernel's u64 mask. */
function validateMask(key: MaskKey, mask: bigint): void {
  if (typeof mask !== "bigint") {
    throw new BpfUapiError("invalid-mask", `masks.${key}: expected a bigint, got ${typeof mask} - write 5n or BigInt(5)`);
  }
  if (mask < 0n || mask > U64_MAX) {
    throw new BpfUapiError("invalid-mask", `masks.${key}: ${mask} is outside 0 to 2^64-1 - pass the u64 mask the kernel stores`);
  }
}
