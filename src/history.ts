/**
 * The shipped kernel versions that have each delegate name, looked up in
 * the generated NAME_HISTORY.
 */
import { NAME_HISTORY, type NameSpan } from "../generated/history.js";
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { BpfUapiError } from "./errors.js";
import { compareKernelLabels, foldAsciiCase } from "./kernel.js";

export type { NameSpan };

const OPTION_KEYS: ReadonlyMap<string, MaskKey> = new Map(MASK_KEYS.map((key) => [`delegate_${key}`, key]));

/** The `MAJOR.MINOR` at the start of a label such as `6.18.44-foo`. */
const RELEASE_PREFIX = /^v?(\d+)\.(\d+)(?!\d)/;

/**
 * Returns the first and last shipped version whose bpf.h has `name` as a
 * name of `option`, or null when none has it. Names compare with ASCII-only
 * case folding, as the kernel compares them. The span covers the enum in
 * bpf.h, so it can start at a version without delegation (before 6.9), and
 * it does not show a version in between that lacks the name.
 * Throws a BpfUapiError with code `invalid-option` for any other option.
 */
export function kernelsHaving(option: DelegateOption, name: string): NameSpan | null {
  const key = OPTION_KEYS.get(option);
  if (key === undefined) {
    const message = `option: ${JSON.stringify(String(option))} is not a delegate option - use one of ${[...OPTION_KEYS.keys()].join(", ")}`;
    throw new BpfUapiError("invalid-option", message);
  }
  if (typeof name !== "string") {
    throw new BpfUapiError("invalid-input", `name: expected a string, got ${typeof name} - pass a name such as "map_create"`);
  }
  return nameSpan(key, name);
}

/** Returns the shipped versions that have `name` in the table of `key`, or null. */
export function nameSpan(key: MaskKey, name: string): NameSpan | null {
  const folded = foldAsciiCase(name);
  if (folded === null) return null;
  return NAME_HISTORY[key].get(folded) ?? null;
}

/**
 * Orders kernel version labels like compareKernelLabels, after cutting a
 * label such as `6.12-custom` of caller-built tables to its `6.12`.
 */
export function compareReleases(left: string, right: string): number {
  return compareKernelLabels(releaseOf(left), releaseOf(right));
}

function releaseOf(label: string): string {
  const match = RELEASE_PREFIX.exec(label);
  return match === null ? label : `${match[1]}.${match[2]}`;
}
