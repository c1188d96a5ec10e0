/**
 * Error types of the runtime. The parser, formatter and kernel resolver throw
 * only these, so callers can catch `BpfUapiError` and read its `code`.
 */
import type { DelegateOption } from "./enums.js";
import type { Diagnostic } from "./parse.js";

/** Error the kernel returns when it rejects a mount option. */
export type Errno = "EINVAL" | "ERANGE";

/** Base class of every error the runtime throws. */
export class BpfUapiError extends Error {
  /** Stable machine-readable cause, such as `unknown-kernel` or `invalid-token`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BpfUapiError";
    this.code = code;
  }
}

/** Fields of a rejected mount option, shared by the error and its final diagnostic. */
export interface RejectionDetails {
  readonly code: string;
  readonly errno: Errno | null;
  readonly option: DelegateOption | null;
  readonly token: string;
  readonly position: number;
  readonly message: string;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A mount option that the kernel rejects (`errno` set), or that only strict
 * mode rejects (`errno` null). The kernel fails the whole mount at the first
 * bad token, so this error describes that token and `diagnostics` lists what
 * was found up to and including it.
 */
export class DelegationError extends BpfUapiError {
  readonly errno: Errno | null;
  readonly option: DelegateOption | null;
  readonly token: string;
  /** 1-based column of the token in the input, counted in UTF-16 code units. */
  readonly position: number;
  readonly diagnostics: readonly Diagnostic[];

  constructor(details: RejectionDetails) {
    super(details.code, details.message);
    this.name = "DelegationError";
    this.errno = details.errno;
    this.option = details.option;
    this.token = details.token;
    this.position = details.position;
    this.diagnostics = details.diagnostics;
  }
}

/** Maximum token length a message quotes in full. Longer tokens are cut in messages, but the token field keeps them whole. */
const MAX_QUOTED_LENGTH = 48;

/** Characters that JSON.stringify escapes: controls, quote, backslash and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

/** Quotes `token` for a message, escaping control characters and cutting long tokens. */
export function quote(token: string): string {
  if (token.length <= MAX_QUOTED_LENGTH && !NEEDS_ESCAPE.test(token)) return `"${token}"`;
  if (token.length > MAX_QUOTED_LENGTH) {
    return `${JSON.stringify(token.slice(0, MAX_QUOTED_LENGTH))}... (${token.length} characters)`;
  }
  return JSON.stringify(token);
}
