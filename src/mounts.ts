/**
 * Reads bpffs mounts from /proc/self/mountinfo text (proc(5) format) or
 * /proc/mounts text (fstab format), so their delegate options can be decoded.
 */

/** One mount of filesystem type `bpf`. */
export interface BpffsMount {
  /** 1-based line number in the input. */
  readonly line: number;
  /** Mount ID from mountinfo, or null for /proc/mounts input. */
  readonly mountId: number | null;
  /** Mount point, with octal escapes such as `\040` decoded. */
  readonly mountPoint: string;
  /** Mount source, usually `bpf` or `none`. */
  readonly source: string;
  /** Per-mount flags from mountinfo (`rw,relatime`), or null for /proc/mounts input. */
  readonly mountOptions: string | null;
  /**
   * Options of the filesystem instance, where bpffs prints its delegate
   * options. For /proc/mounts input this is the options column, which
   * joins the per-mount flags and these.
   */
  readonly superOptions: string;
}

/** Decodes the octal escapes (`\040` for a space, `\134` for a backslash) the kernel writes in mount fields. */
export function decodeMountField(field: string): string {
  return field.replace(/\\([0-3][0-7]{2})/g, (_escape, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Returns the bpffs mounts in `text`. Each line is read as mountinfo when it
 * has the ` - ` separator after at least six fields, and as /proc/mounts
 * otherwise. Lines of other filesystem types and lines that fit neither
 * format are skipped.
 */
export function readBpffsMounts(text: string): BpffsMount[] {
  const mounts: BpffsMount[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    const fields = line.trim().split(/\s+/);
    const mount = readMountInfoLine(fields, index + 1) ?? readProcMountsLine(fields, index + 1);
    if (mount !== null) mounts.push(mount);
  }
  return mounts;
}

/**
 * Returns whether `line` has the shape of a mountinfo or /proc/mounts line
 * of any filesystem type: mountinfo's ID, MAJOR:MINOR and ` - ` separator,
 * or the six fields of /proc/mounts ending in two numbers.
 */
export function isMountLine(line: string): boolean {
  const fields = line.trim().split(/\s+/);
  const separator = fields.indexOf("-", 6);
  if (separator !== -1 && fields.length >= separator + 4) {
    return /^\d+$/.test(fields[0] ?? "") && /^\d+:\d+$/.test(fields[2] ?? "");
  }
  return fields.length === 6 && /^\d+$/.test(fields[4] ?? "") && /^\d+$/.test(fields[5] ?? "");
}

/**
 * Reads `ID PARENT MAJOR:MINOR ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS`,
 * or returns null when the fields do not have that shape or the type is not bpf.
 */
function readMountInfoLine(fields: readonly string[], line: number): BpffsMount | null {
  const separator = fields.indexOf("-", 6);
  if (separator === -1 || fields.length < separator + 4) return null;
  if (!/^\d+$/.test(fields[0] ?? "") || !/^\d+:\d+$/.test(fields[2] ?? "")) return null;
  if (fields[separator + 1] !== "bpf") return null;

  return {
    line,
    mountId: Number(fields[0]),
    mountPoint: decodeMountField(fields[4] ?? ""),
    source: decodeMountField(fields[separator + 2] ?? ""),
    mountOptions: fields[5] ?? "",
    superOptions: fields[separator + 3] ?? "",
  };
}

/** Reads `SOURCE MOUNT_POINT TYPE OPTIONS DUMP PASS`, or returns null when the type is not bpf. */
function readProcMountsLine(fields: readonly string[], line: number): BpffsMount | null {
  if (fields.length < 4 || fields[2] !== "bpf") return null;
  return {
    line,
    mountId: null,
    mountPoint: decodeMountField(fields[1] ?? ""),
    source: decodeMountField(fields[0] ?? ""),
    mountOptions: null,
    superOptions: fields[3] ?? "",
  };
}
