/**
 * The types of a parse and the state its steps share, with the helpers that
 * record a diagnostic or reject a token.
 */
import type { DelegateOption } from "./enums.js";
import { DelegationError, type Errno } from "./errors.js";
import { MAX_MOUNT_DATA_BYTES } from "./mount-data.js";
import type { OwnerOption } from "./number.js";
import type { KernelTables } from "./tables.js";

export type ParseMode = "kernel" | "strict";

export interface ParseOptions {
  /** A version label (`6.18`, `6.18.44-foo`, `next`) or generated tables; the newest shipped release by default. */
  kernel?: string | KernelTables;
  /** `kernel` (the default) accepts what the kernel accepts; `strict` also rejects what draws a warning. */
  mode?: ParseMode;
  /** Parse `input` as the value of this one option instead of as a comma-separated option string. */
  option?: DelegateOption;
}

/** The four masks as the kernel stores them; `any` is all 64 bits. */
export interface DelegateMasks {
  cmds: bigint;
  maps: bigint;
  progs: bigint;
  attachs: bigint;
}

export interface Diagnostic {
  severity: "info" | "warning" | "error";
  /** Stable cause, such as `name`, `alias`, `unknown-option` or `invalid-token`. */
  code: string;
  option: DelegateOption | null;
  token: string;
  /** 1-based column of the token in the input, counted in UTF-16 code units. */
  position: number;
  message: string;
  /** The bits the token sets, for tokens of a delegate option value. */
  bits?: bigint;
}

export interface ParseResult {
  kernel: string;
  mode: ParseMode;
  masks: DelegateMasks;
  diagnostics: Diagnostic[];
}

/** A diagnostic before its severity is known. */
export type Finding = Omit<Diagnostic, "severity">;

/** Tables, mode, masks and diagnostics of one parse, passed to each step. */
export interface ParseState {
  readonly tables: KernelTables;
  readonly mode: ParseMode;
  readonly masks: DelegateMasks;
  readonly diagnostics: Diagnostic[];
  /** 1-based column where mount(2)'s byte limit cut a token in two, or null when it cut none. */
  cutColumn: number | null;
  /** The last valid `uid`, `gid` and `mode` option so far, which the kernel keeps over earlier ones. */
  readonly owners: Partial<Record<OwnerOption, OwnerSetting>>;
}

/** One valid `uid`, `gid` or `mode` option of the input. */
export interface OwnerSetting {
  readonly item: string;
  readonly position: number;
  /** The value the kernel stores, after dropping mode bits above 07777. */
  readonly value: bigint;
}

/** Records an info diagnostic. */
export function note(state: ParseState, finding: Finding): void {
  state.diagnostics.push(toDiagnostic("info", finding));
}

/** Records a warning in kernel mode; strict mode rejects the token instead. */
export function warn(state: ParseState, finding: Finding): void {
  if (state.mode === "strict") reject(state, finding, null);
  state.diagnostics.push(toDiagnostic("warning", finding));
}

/** Throws a DelegationError for the token of `finding`, with every diagnostic so far. */
export function reject(state: ParseState, finding: Finding, errno: Errno | null): never {
  const rejected = errno === null ? finding : blameCut(state, finding, errno);
  const diagnostic = toDiagnostic("error", rejected);
  throw new DelegationError({ ...rejected, errno, diagnostics: [...state.diagnostics, diagnostic] });
}

/**
 * Returns `finding` with its remedy replaced by the byte limit of mount(2)
 * when the rejected token reaches the column where that limit cut the input,
 * because then the cut, not the token as written, is what the kernel rejects.
 */
function blameCut(state: ParseState, finding: Finding, errno: Errno): Finding {
  if (state.cutColumn === null || finding.position + finding.token.length < state.cutColumn) return finding;

  const marker = `(${errno}) - `;
  const end = finding.message.lastIndexOf(marker);
  if (end === -1) return finding;
  const remedy = `mount(2) passes at most ${MAX_MOUNT_DATA_BYTES} bytes, so the kernel cut this token at column ${state.cutColumn} - shorten the input to ${MAX_MOUNT_DATA_BYTES} bytes`;
  return { ...finding, message: `${finding.message.slice(0, end)}(${errno}) because ${remedy}` };
}

/** Copies `finding` field by field, because an object spread is slow on the parse hot path. */
function toDiagnostic(severity: Diagnostic["severity"], finding: Finding): Diagnostic {
  const { code, option, token, position, message } = finding;
  const diagnostic: Diagnostic = { severity, code, option, token, position, message };
  if (finding.bits !== undefined) diagnostic.bits = finding.bits;
  return diagnostic;
}
