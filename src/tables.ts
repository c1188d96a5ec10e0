/**
 * Shapes of the generated name-to-bit tables. The generator writes one
 * `KernelTables` object per kernel version, and the runtime parser and
 * formatter read only these.
 */
import type { DelegateOption, MaskKey } from "./enums.js";

/** A delegatable enumerator in the kernel's spelling. */
export interface DelegateName {
  /** Lower case with the option's prefix removed, as the kernel prints it: `prog_test_run`. */
  readonly name: string;
  /** The C enumerator: `BPF_PROG_TEST_RUN`. */
  readonly cName: string;
  /** The enumerator's value, which is the bit number in the mask (0 to 63). */
  readonly bit: number;
  /** For an alias, the kernel name of the first enumerator declared with the same value. */
  readonly aliasOf?: string;
}

/**
 * An enumerator that carries the option's prefix, so the kernel matches it by
 * name, but whose value is not a bit below the sentinel: it is declared after
 * the `__MAX_*` sentinel, or its value is negative or 64 or more.
 */
export interface OutOfDomainName {
  readonly name: string;
  readonly cName: string;
  readonly value: bigint;
}

/** Everything the parser and formatter need about one delegate option. */
export interface DelegateTable {
  readonly option: DelegateOption;
  readonly key: MaskKey;
  /** Tag of the C enum: `bpf_cmd`. */
  readonly enumName: string;
  readonly prefix: string;
  /** The `__MAX_*` sentinel, or null when the header declares none. */
  readonly sentinel: { readonly name: string; readonly value: number } | null;
  /**
   * Bits the kernel prints as `any` when all are set: every bit below the
   * sentinel, or the bits of the declared members when there is no sentinel.
   */
  readonly anyMask: bigint;
  /** In-domain enumerators with the prefix, in declaration order, aliases included. */
  readonly names: readonly DelegateName[];
  readonly outOfDomain: readonly OutOfDomainName[];
}

/** The four delegate tables of one kernel version. */
export interface KernelTables {
  /** Kernel version label: `6.18`, `6.1`, or `next` for a bpf-next snapshot. */
  readonly kernel: string;
  /** Whether this kernel has BPF filesystem delegation options (6.9 or later). */
  readonly delegation: boolean;
  readonly cmds: DelegateTable;
  readonly maps: DelegateTable;
  readonly progs: DelegateTable;
  readonly attachs: DelegateTable;
}
