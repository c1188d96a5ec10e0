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

/**
 * Returns the text lines of a rejection: the message, and for a one-line
 * input the input with the rejected token underlined.
 */
export function rejectionLines(io: Io, rejection: InputRejection): string[] {
  const { error, input } = rejection;
  const lines = [error.message];
  if (input.includes("\n") || error.position < 1 || error.position > input.length + 1) return lines;

  const width = Math.max(1, Math.min(error.token.length, input.length - error.position + 1));
  lines.push(`  ${input}`, `  ${" ".repeat(error.position - 1)}${paint(io, "red", "^".repeat(width))}`);
  return lines;
}
