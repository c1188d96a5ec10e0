/**
 * Error output of the command line: a rejected option with a caret under the
 * token, and the `{"error": ...}` object of `--json`.
 */
import { BpfUapiError, DelegationError } from "../errors.js";
import type { KernelTables } from "../tables.js";
import { paint, type Io } from "./io.js";
import { explain, type TokenExplanation } from "./report.js";

/** A DelegationError together with the input and tables it was raised for, so the token can be underlined and explained. */
export class InputRejection extends Error {
  readonly error: DelegationError;
  readonly input: string;
  readonly tables: KernelTables;

  constructor(error: DelegationError, input: string, tables: KernelTables) {
    super(error.message);
    this.name = "InputRejection";
    this.error = error;
    this.input = input;
    this.tables = tables;
  }
}

/** Runs `parseInput` and wraps a DelegationError it throws in an InputRejection for `input` parsed with `tables`. */
export function withInput<T>(input: string, tables: KernelTables, parseInput: () => T): T {
  try {
    return parseInput();
  } catch (error) {
    if (error instanceof DelegationError) throw new InputRejection(error, input, tables);
    throw error;
  }
}

/** The `error` object `--json` prints for a failed command. */
export interface JsonError {
  readonly message: string;
  readonly code: string;
  readonly option: string | null;
  readonly token: string | null;
  readonly position: number | null;
  readonly errno: string | null;
  /**
   * For rejected input, the tokens parsed up to and including the rejected
   * one, in the shape of `parse --json` diagnostics. Empty for other errors.
   */
  readonly diagnostics: readonly TokenExplanation[];
}

/** Returns the JSON error object for `error`. */
export function jsonError(error: Error, code: string): JsonError {
  if (error instanceof InputRejection) {
    const { message, code: cause, option, token, position, errno, diagnostics } = error.error;
    return { message, code: cause, option, token, position, errno, diagnostics: diagnostics.map((diagnostic) => explain(diagnostic, error.tables)) };
  }
  const cause = error instanceof BpfUapiError ? error.code : code;
  return { message: error.message, code: cause, option: null, token: null, position: null, errno: null, diagnostics: [] };
}

/** Maximum characters (UTF-16 code units, as columns count them) of the input shown on each side of the rejected column. */
const EXCERPT_CONTEXT = 60;
const ELLIPSIS = "...";

/**
 * Returns the text lines of a rejection: the message, and for a one-line
 * input an excerpt of at most EXCERPT_CONTEXT characters on each side of the
 * rejected column, with the token underlined. `...` marks input left out.
 */
export function rejectionLines(io: Io, rejection: InputRejection): string[] {
  const { error, input } = rejection;
  const lines = [error.message];
  if (input.includes("\n") || error.position < 1 || error.position > input.length + 1) return lines;

  const column = error.position - 1;
  const start = alignToCharacter(input, Math.max(0, column - EXCERPT_CONTEXT), 1);
  const end = alignToCharacter(input, Math.min(input.length, column + EXCERPT_CONTEXT), -1);
  const before = start > 0 ? ELLIPSIS : "";
  const after = end < input.length ? ELLIPSIS : "";
  const width = Math.max(1, Math.min(error.token.length, end - column));

  lines.push(
    `  ${before}${input.slice(start, end)}${after}`,
    `  ${" ".repeat(before.length + column - start)}${paint(io, "red", "^".repeat(width))}`,
  );
  return lines;
}

/**
 * Returns `index`, moved one code unit in `direction` when it falls between
 * the two halves of a surrogate pair, so an excerpt never splits a character.
 */
function alignToCharacter(text: string, index: number, direction: 1 | -1): number {
  const code = text.charCodeAt(index);
  const previous = text.charCodeAt(index - 1);
  const splitsPair = code >= 0xdc00 && code <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff;
  return splitsPair ? index + direction : index;
}
