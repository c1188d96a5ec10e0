/**
 * Limits of the option string that mount(2) passes: the kernel stops reading
 * at the first NUL, because the string is a C string, and after one page of bytes.
 */

/**
 * Maximum bytes of option data a filesystem receives through mount(2). The kernel
 * copies one page of the string and overwrites the page's last byte with a
 * NUL, so 4095 bytes remain with 4 KiB pages (observed on Linux 6.18, x86-64).
 */
// NOTE: kernels built with 16 KiB or 64 KiB pages (some arm64 and ppc64
// configurations) keep PAGE_SIZE - 1 bytes, which this limit does not model.
export const MAX_MOUNT_DATA_BYTES = 4095;

/** The point where a UTF-8 byte limit cuts a string. */
export interface Utf8Cut {
  /** Index of the first UTF-16 code unit whose character does not fit whole under the limit. */
  readonly index: number;
  /** Bytes of the character at `index` that still fit: 0, or 1 to 3 of a character cut in the middle. */
  readonly keptBytes: number;
  /** UTF-8 length of the character at `index`. */
  readonly characterBytes: number;
  /** UTF-8 length of the whole string. */
  readonly totalBytes: number;
}

/**
 * Returns the UTF-8 length of the character that starts at UTF-16 index `i`
 * of `text`. A lone surrogate counts 3 bytes, because Node and TextEncoder
 * encode it as U+FFFD.
 */
function utf8Length(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 4;
  }
  return 3;
}

/** Returns where `text`, encoded as UTF-8, exceeds `maxBytes`, or null when it fits. */
export function findUtf8Cut(text: string, maxBytes: number): Utf8Cut | null {
  // Each UTF-16 code unit encodes to at most 3 bytes.
  if (text.length * 3 <= maxBytes) return null;

  let bytes = 0;
  let cut: Omit<Utf8Cut, "totalBytes"> | null = null;
  for (let i = 0; i < text.length; ) {
    const length = utf8Length(text, i);
    if (cut === null && bytes + length > maxBytes) {
      cut = { index: i, keptBytes: maxBytes - bytes, characterBytes: length };
    }
    bytes += length;
    i += length === 4 ? 2 : 1;
  }
  return cut === null ? null : { ...cut, totalBytes: bytes };
}
