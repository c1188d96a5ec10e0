/**
 * Resolving a kernel version label to the generated tables, and the lookup
 * structures the parser and formatter build once per table.
 */
import { DEFAULT_KERNEL, KERNEL_TABLES } from "../generated/index.js";
import { BpfUapiError } from "./errors.js";
import type { DelegateName, DelegateTable, KernelTables } from "./tables.js";

/** `6.18`, `v6.18`, `6.18.44` and `6.18.44-foo` (a `uname -r` string) all name the 6.18 tables. */
const VERSION_LABEL = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+~_].*)?$/s;

/** The shipped tables keyed by any string, so a caller's label can be looked up. */
const SHIPPED_TABLES: Readonly<Record<string, KernelTables>> = KERNEL_TABLES;

/**
 * Returns the tables for `kernel`: the tables object itself, the shipped
 * tables for a version label (or `next`), or those of the newest shipped
 * release when `kernel` is undefined. Throws a `BpfUapiError` with code
 * `unknown-kernel` for a label without shipped tables.
 */
export function resolveKernel(kernel?: string | KernelTables): KernelTables {
  if (kernel === undefined) return shippedTables(DEFAULT_KERNEL);
  if (typeof kernel !== "string") return kernel;

  const match = VERSION_LABEL.exec(kernel);
  const label = match ? `${match[1]}.${match[2]}` : kernel;
  return shippedTables(label);
}

function shippedTables(label: string): KernelTables {
  if (Object.hasOwn(SHIPPED_TABLES, label)) {
    const tables = SHIPPED_TABLES[label];
    if (tables !== undefined) return tables;
  }

  throw new BpfUapiError(
    "unknown-kernel",
    `kernel ${JSON.stringify(label)}: no tables are shipped for it (shipped: ${shippedKernels().join(", ")})` +
      ` - pick a shipped version, or generate tables from that kernel's include/uapi/linux/bpf.h` +
      ` with "npm run generate -- --header FILE --kernel X.Y --out DIR --import-from bpf-uapi" and pass the KernelTables object in place of the label`,
  );
}

/** Returns the shipped version labels, oldest first, with `next` last. */
export function shippedKernels(): string[] {
  return Object.keys(SHIPPED_TABLES).sort(compareKernelLabels);
}

/** Orders `6.1` before `6.18` and both before `next` or any other non-numeric label. */
export function compareKernelLabels(left: string, right: string): number {
  const leftParts = left.split(".").map(Number);
  const rightParts = right.split(".").map(Number);
  const leftNumeric = leftParts.every(Number.isInteger);
  const rightNumeric = rightParts.every(Number.isInteger);
  if (leftNumeric !== rightNumeric) return leftNumeric ? -1 : 1;
  if (!leftNumeric) {
    if (left === right) return 0;
    return left < right ? -1 : 1;
  }

  for (let i = 0; i < Math.max(leftParts.length, rightParts.length); i++) {
    const difference = (leftParts[i] ?? 0) - (rightParts[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A name the formatter may print, with its bit as a mask. */
export interface PrintableName {
  readonly name: string;
  readonly mask: bigint;
}

/** Lookups derived once from a `DelegateTable`. */
export interface TableIndex {
  /**
   * Names folded to ASCII lower case, mapped to the first enumerator declared
   * with that name. A Map, so `__proto__` or `constructor` never resolve
   * through a prototype.
   */
  readonly byName: ReadonlyMap<string, DelegateName>;
  /** In-domain names in declaration order, for printing. */
  readonly printable: readonly PrintableName[];
}

const indexes = new WeakMap<DelegateTable, TableIndex>();

/** Returns the lookups for `table`, building them on first use. */
export function indexTable(table: DelegateTable): TableIndex {
  const cached = indexes.get(table);
  if (cached !== undefined) return cached;

  const byName = new Map<string, DelegateName>();
  const printable: PrintableName[] = [];
  for (const entry of table.names) {
    const key = foldAsciiCase(entry.name);
    if (key !== null && !byName.has(key)) byName.set(key, entry);
    if (entry.outOfDomainValue === undefined) printable.push({ name: entry.name, mask: 1n << BigInt(entry.bit) });
  }

  const index: TableIndex = { byName, printable };
  indexes.set(table, index);
  return index;
}

/**
 * Folds A-Z to a-z as the kernel's strcasecmp does, or returns null when
 * `text` has a non-ASCII character: enumerator names are ASCII, and
 * `toLowerCase` would fold U+212A KELVIN SIGN to `k`, which the kernel never does.
 */
export function foldAsciiCase(text: string): string | null {
  let hasUpper = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return null;
    if (code >= 0x41 && code <= 0x5a) hasUpper = true;
  }
  return hasUpper ? text.toLowerCase() : text;
}
