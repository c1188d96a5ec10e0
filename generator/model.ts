/**
 * The model: plain data extracted from one bpf.h, independent of how it was
 * parsed and of what is rendered from it.
 */
import type { EnumSpec } from "../src/enums.js";

/** A 1-based position in a source file. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * How a member takes part in a delegate mask.
 * - `member`: a bit of the mask, first declared with its value;
 * - `alias`: same value as an earlier member, which is the canonical one;
 * - `sentinel`: the `__MAX_*` entry that counts the members before it;
 * - `out-of-domain`: declared after the sentinel, or valued below 0 or at 64
 *   or more, so it cannot be a bit of a 64-bit mask.
 */
export type MemberClass = "member" | "alias" | "sentinel" | "out-of-domain";

export interface MemberModel {
  /** The C enumerator, verbatim: `BPF_PROG_LOAD`. */
  readonly name: string;
  readonly value: bigint;
  readonly line: number;
  readonly column: number;
  readonly classification: MemberClass;
  /** For an alias, the name of the canonical member with the same value. */
  readonly aliasOf?: string;
}

export interface EnumModel {
  readonly spec: EnumSpec;
  readonly line: number;
  readonly column: number;
  /** Members in declaration order, after preprocessor conditionals. */
  readonly members: readonly MemberModel[];
  readonly sentinel: MemberModel | null;
  /** Bits the kernel treats as `any` for this enum's delegate option. */
  readonly anyMask: bigint;
}

export interface HeaderSource {
  /** Path as given by the user, used in messages. */
  readonly path: string;
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
}

/** Everything extracted from one header for one kernel version. */
export interface UapiModel {
  /** Kernel version label: `6.18`, `6.1` or `next`. */
  readonly kernel: string;
  readonly source: HeaderSource;
  /** The enums in the order of ENUM_SPECS. */
  readonly enums: readonly EnumModel[];
}
