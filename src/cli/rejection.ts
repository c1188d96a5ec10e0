/**
 * Error output of the command line: a rejected option with a caret under the
 * token, and the `{"error": ...}` object of `--json`.
 */
import { BpfUapiError, DelegationError } from "../errors.js";
import { paint, type Io } from "./io.js";

/** A DelegationError together with the input it was raised for, so the token can be underlined. */
export class InputRejection extends Error {
  readonly error: DelegationError;
  readonly input: string;

  constructor(error: DelegationError, input: string) {
    super(error.message);
    this.name = "InputRejection";
    this.error = error;
    this.input = input;
  }
}

/** Runs `parseInput` and wraps a DelegationError it throws in an InputRejection for `input`. */
export function withInput<T>(input: string, parseInput: () => T): T {
  try {
    return parseInput();
  } catch (error) {
    if (error instanceof DelegationError) throw new InputRejection(error, input);
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
}

/** Returns the JSON error object for `error`. */
export function jsonError(error: Error, code: string): JsonError {
  const rejected = error instanceof InputRejection ? error.error : error;
  if (rejected instanceof DelegationError) {
    const { message, code: cause, option, token, position, errno } = rejected;
    return { message, code: cause, option, token, position, errno };
  }
  const cause = rejected instanceof BpfUapiError ? rejected.code : code;
  return { message: rejected.message, code: cause, option: null, token: null, position: null, errno: null };
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
