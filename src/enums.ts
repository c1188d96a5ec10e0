/**
 * The declarative table of the bpf.h enums this package extracts, and of the
 * BPF filesystem delegate option each one feeds. Every other file derives its
 * enum names, option names and prefixes from this table.
 */

/** Key of one of the four masks a BPF token carries. */
export type MaskKey = "cmds" | "maps" | "progs" | "attachs";

/** Name of a BPF filesystem delegation mount option (Linux 6.9+). */
export type DelegateOption = `delegate_${MaskKey}`;

/** One extracted enum: its C tag, TypeScript name and delegate option, if any. */
export interface EnumSpec {
  /** Tag of the C enum in include/uapi/linux/bpf.h. */
  readonly cName: string;
  /** Name of the generated TypeScript enum. */
  readonly tsName: string;
  /** The delegate option whose mask bits are values of this enum, or null. */
  readonly option: DelegateOption | null;
  readonly key: MaskKey | null;
  /**
   * Prefix the kernel strips from enumerator names when it parses and prints
   * the option, matched case-insensitively.
   */
  readonly prefix: string;
  /**
   * Whether a header without this enum is an error. bpf_link_type appeared in
   * Linux 5.7, so older headers lack it.
   */
  readonly required: boolean;
}

export const ENUM_SPECS: readonly EnumSpec[] = [
  { cName: "bpf_cmd", tsName: "BpfCmd", option: "delegate_cmds", key: "cmds", prefix: "BPF_", required: true },
  { cName: "bpf_map_type", tsName: "BpfMapType", option: "delegate_maps", key: "maps", prefix: "BPF_MAP_TYPE_", required: true },
  { cName: "bpf_prog_type", tsName: "BpfProgType", option: "delegate_progs", key: "progs", prefix: "BPF_PROG_TYPE_", required: true },
  { cName: "bpf_attach_type", tsName: "BpfAttachType", option: "delegate_attachs", key: "attachs", prefix: "BPF_", required: true },
  { cName: "bpf_link_type", tsName: "BpfLinkType", option: null, key: null, prefix: "BPF_LINK_TYPE_", required: false },
];

/** The mask keys in the order the kernel prints the options in /proc/mounts. */
export const MASK_KEYS: readonly MaskKey[] = ["cmds", "maps", "progs", "attachs"];

/** Bits of a delegate mask: values of an enum are bit numbers, so only 0..63 fit. */
export const MASK_BITS = 64;

/** First kernel release with BPF filesystem delegation options. */
export const DELEGATION_SINCE = "6.9";
