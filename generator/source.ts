/**
 * Reading a header: its bytes, their sha256, and the text tree-sitter parses.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";

export interface HeaderText {
  /** Path as given by the user, used in messages. */
  readonly path: string;
  readonly sha256: string;
  /** The decoded text, without a UTF-8 byte order mark. */
  readonly text: string;
  /** Start offset of each line in `text`, for turning offsets into lines. */
  readonly lineStarts: readonly number[];
}

/** Reads a header file, or raises a UsageError naming the path when it cannot. */
export async function readHeader(path: string): Promise<HeaderText> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read header ${path} (${reason}) - pass an existing bpf.h with --header`);
  }
  return decodeHeader(path, bytes);
}

/** Returns the sha256 of bytes as lowercase hex, as headers/kernels.json pins it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Decodes header bytes as UTF-8. Bytes that are not valid UTF-8 become U+FFFD:
 * C compilers accept any bytes inside comments, so only an identifier or
 * literal that contains one fails later, with its location.
 */
export function decodeHeader(path: string, bytes: Uint8Array): HeaderText {
  const sha256 = sha256Hex(bytes);
  let text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { path, sha256, text, lineStarts: computeLineStarts(text) };
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) {
    starts.push(index + 1);
  }
  return starts;
}

/** Returns the 1-based line and column of an offset in the header text, as tree-sitter counts them. */
export function positionAt(header: HeaderText, offset: number): { line: number; column: number } {
  let low = 0;
  let high = header.lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((header.lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (header.lineStarts[low] ?? 0) + 1 };
}

/** Returns one line of the text (1-based), without its line terminator. */
export function sourceLine(header: HeaderText, line: number): string {
  const start = header.lineStarts[line - 1];
  if (start === undefined) return "";
  const next = header.lineStarts[line];
  const end = next === undefined ? header.text.length : next - 1;
  return header.text.slice(start, end).replace(/\r$/, "");
}
