/**
 * Shapes of the generated name-to-bit tables. The generator writes one
 * `KernelTables` object per kernel version, and the runtime parser and
 * formatter read only these.
 */
import type { DelegateOption, MaskKey } from "./enums.js";

/**
 * An enumerator that the kernel matches by name for a delegate option, because
 * it carries the option's prefix.
 */
export interface DelegateName {
  /** Lower case with the option's prefix removed, as the kernel prints it: `prog_test_run`. */
  readonly name: string;
  /** The C enumerator: `BPF_PROG_TEST_RUN`. */
  readonly cName: string;
  /**
   * The bit the kernel sets for this name: the enumerator's value (0 to 63),
   * or for an out-of-domain enumerator the low 6 bits of its value.
   */
  readonly bit: number;
  /** For an alias, the kernel name of the first enumerator declared with the same value. */
  readonly aliasOf?: string;
  /**
   * Set for an out-of-domain enumerator (declared after the `__MAX_*` sentinel,
   * or valued below 0 or at 64 or more): its real value. The kernel computes
   * `1ULL << value`, which is undefined in C for such values. x86-64 and
   * arm64 keep the low 6 bits of the shift count, and `bit` records those.
   */
  readonly outOfDomainValue?: bigint;
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
  /** Every enumerator with the prefix, in declaration order, aliases and out-of-domain ones included. */
  readonly names: readonly DelegateName[];
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

/**
 * Copies `entries` into a frozen object without a prototype, so that a lookup
 * by an untrusted key such as `constructor` or `__proto__` finds nothing
 * unless the table has that name.
 */
export function nullPrototype<T extends object>(entries: T): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null) as T, entries));
}
