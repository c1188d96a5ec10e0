/**
 * Parses BPF filesystem mount options the way a given kernel does, and gives
 * every token a diagnostic. Kernel mode predicts the kernel's masks and
 * errors exactly. Strict mode also rejects what the kernel accepts with a warning.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { BpfUapiError, DelegationError, quote, type Errno } from "./errors.js";
import { foldAsciiCase, indexTable, resolveKernel } from "./kernel.js";
import { findUtf8Cut, MAX_MOUNT_DATA_BYTES } from "./mount-data.js";
import { detectBase, parseKernelUnsigned, parseOwnerValue, U64_MAX, type OwnerOption } from "./number.js";
import { invalidTokenRemedy, isSplitName, NAME_NOUNS, shortValue, unknownOptionRemedy, withArticle, type PreviousDelegate } from "./suggest.js";
import type { DelegateName, DelegateTable, KernelTables } from "./tables.js";

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
type Finding = Omit<Diagnostic, "severity">;

/** Tables, mode, masks and diagnostics of one parse, passed to each step. */
interface ParseState {
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
interface OwnerSetting {
  readonly item: string;
  readonly position: number;
  /** The value the kernel stores, after dropping mode bits above 07777. */
  readonly value: bigint;
}

const OPTION_KEYS: ReadonlyMap<string, MaskKey> = new Map(MASK_KEYS.map((key) => [`delegate_${key}`, key]));

/**
 * Options that /proc/mounts shows or mount(8) turns into mount(2) flags. The
 * VFS consumes `ro`, `rw`, `sync`, `async`, `dirsync`, `lazytime`,
 * `nolazytime`, `mand` and `nomand` by name (whatever follows `=`), and bpffs
 * ignores the rest, so none of them changes a delegate mask.
 */
const MOUNT_FLAGS: ReadonlySet<string> = new Set([
  "rw", "ro", "sync", "async", "dirsync", "lazytime", "nolazytime", "mand", "nomand", "silent", "loud",
  "relatime", "norelatime", "noatime", "atime", "nodiratime", "diratime", "strictatime", "nostrictatime",
  "suid", "nosuid", "dev", "nodev", "exec", "noexec", "iversion", "noiversion", "bind", "rbind", "remount",
  "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group", "nofail", "_netdev",
]);

const OWNER_VALUES: Readonly<Record<OwnerOption, string>> = {
  uid: "a user id from 0 to 4294967294",
  gid: "a group id from 0 to 4294967294",
  mode: "an octal mode below 40000000000",
};

/**
 * Mode bits bpffs keeps (S_IALLUGO: set-user-ID, set-group-ID, sticky and the
 * permission bits). It ANDs `mode=` with this mask, so Linux 6.18 mounts
 * `mode=0100700` with mode 0700.
 */
const MODE_BITS = 0o7777n;

/** Records an info diagnostic. */
function note(state: ParseState, finding: Finding): void {
  state.diagnostics.push(toDiagnostic("info", finding));
}

/** Records a warning in kernel mode; strict mode rejects the token instead. */
function warn(state: ParseState, finding: Finding): void {
  if (state.mode === "strict") reject(state, finding, null);
  state.diagnostics.push(toDiagnostic("warning", finding));
}

/** Throws a DelegationError for the token of `finding`, with every diagnostic so far. */
function reject(state: ParseState, finding: Finding, errno: Errno | null): never {
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

/**
 * Parses `input`, a mount option string (`rw,delegate_cmds=map_create:prog_load`)
 * or, with `options.option`, one option's value. Like mount(2), it reads the
 * input only up to the first NUL and within 4095 UTF-8 bytes, counting
 * `OPTION=` in front of a single value, and warns about the part it drops.
 * Throws a DelegationError for the first option the kernel rejects (or strict
 * mode rejects), and a BpfUapiError for invalid arguments or an unknown
 * kernel label.
 */
export function parse(input: string, options: ParseOptions = {}): ParseResult {
  if (typeof input !== "string") {
    throw new BpfUapiError("invalid-input", `input: expected a string, got ${typeof input} - pass the mount option text`);
  }
  const mode = options.mode ?? "kernel";
  if (mode !== "kernel" && mode !== "strict") {
    throw new BpfUapiError("invalid-mode", `mode: ${quote(String(mode))} is not a parse mode - use "kernel" or "strict"`);
  }
  const key = options.option === undefined ? null : OPTION_KEYS.get(options.option);
  if (key === undefined) {
    const message = `option: ${quote(String(options.option))} is not a delegate option - use one of ${[...OPTION_KEYS.keys()].join(", ")}`;
    throw new BpfUapiError("invalid-option", message);
  }

  const tables = resolveKernel(options.kernel);
  const state: ParseState = { tables, mode, masks: { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n }, diagnostics: [], cutColumn: null, owners: {} };
  if (key === null) {
    parseOptionString(state, cutToKernelView(state, input, null));
  } else {
    const value = cutToKernelView(state, input, tables[key].option);
    parseDelegateOption(state, key, value, value, 0, 0);
  }
  return { kernel: tables.kernel, mode, masks: state.masks, diagnostics: state.diagnostics };
}

/**
 * Returns the part of `input` that bpffs reads from a mount(2) call, and warns
 * about each cut. mount(2) takes the options as a C string, so the kernel
 * stops at the first NUL, and it copies at most MAX_MOUNT_DATA_BYTES bytes,
 * counted in UTF-8 and including `OPTION=` when `option` is given for a
 * single value.
 */
// NOTE: the new mount API (fsconfig(2), which recent libmount uses where the
// kernel has it) passes each option as its own string with its own limit.
// This models mount(2) only, so input that reaches bpffs through fsconfig is
// cut differently.
function cutToKernelView(state: ParseState, input: string, option: DelegateOption | null): string {
  let text = input;
  const nul = text.indexOf("\0");
  if (nul !== -1) {
    const after = text.length - nul - 1;
    const message = `input: NUL character at column ${nul + 1} ends the C string that mount(2) reads, so the kernel ignores it and the ${after} characters after it - remove the NUL`;
    warn(state, { code: "nul-character", option, token: text.slice(nul), position: nul + 1, message });
    text = text.slice(0, nul);
  }

  const prefix = option === null ? "" : `${option}=`;
  const cut = findUtf8Cut(text, MAX_MOUNT_DATA_BYTES - prefix.length);
  if (cut === null) return text;

  // The kernel compares every byte it keeps, so the first bytes of a
  // character split by the cut still belong to the last token, where they
  // match no name, number or option name. U+FFFD stands for them here, as
  // it matches none either. Dropping them would accept
  // `delegate_cmds=map_create` followed by the first byte of "é", which
  // Linux 6.18 rejects with EINVAL.
  const column = cut.index + 1;
  const subject = option === null ? "option string" : `${prefix}VALUE`;
  const split = cut.keptBytes === 0
    ? `everything from column ${column} on`
    : `everything after the first ${cut.keptBytes} of the ${cut.characterBytes} UTF-8 bytes of ${codePointLabel(text, cut.index)} at column ${column}, and those bytes match no name, number or option name`;
  const message = `input: ${subject} is ${cut.totalBytes + prefix.length} bytes in UTF-8, but mount(2) passes at most ${MAX_MOUNT_DATA_BYTES}, so the kernel ignores ${split} - shorten it to ${MAX_MOUNT_DATA_BYTES} bytes`;
  warn(state, { code: "truncated-input", option, token: text.slice(cut.index), position: column, message });
  const next = text[cut.index];
  if (next !== "," && next !== ":") state.cutColumn = column;
  return text.slice(0, cut.index) + (cut.keptBytes === 0 ? "" : "\ufffd");
}

/** Returns the `U+XXXX` label of the code point at UTF-16 index `index` of `text`. */
function codePointLabel(text: string, index: number): string {
  return `U+${(text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Splits `input` on commas, skipping empty items, and parses each item left to right. */
function parseOptionString(state: ParseState, input: string): void {
  let start = 0;
  let previous: PreviousDelegate | null = null;
  while (start <= input.length) {
    const comma = input.indexOf(",", start);
    const end = comma === -1 ? input.length : comma;
    if (end > start) previous = parseItem(state, input.slice(start, end), start, previous);
    start = end + 1;
  }
}

/**
 * Parses one `key` or `key=value` item that starts at index `start` of the
 * input. Returns the delegate option and value it set, or extends after a
 * name that a comma split off, for the remedy on the next such name, or null.
 */
function parseItem(state: ParseState, item: string, start: number, previous: PreviousDelegate | null): PreviousDelegate | null {
  const equals = item.indexOf("=");
  const key = equals === -1 ? item : item.slice(0, equals);
  const value = equals === -1 ? null : item.slice(equals + 1);
  const valueStart = start + equals + 1;

  const maskKey = OPTION_KEYS.get(key);
  if (maskKey !== undefined) {
    parseDelegateOption(state, maskKey, value, item, start, valueStart);
    return value === null ? null : { key: maskKey, value };
  }

  if (key === "uid" || key === "gid" || key === "mode") {
    parseOwnerOption(state, key, value, item, start, valueStart);
    return null;
  }

  const position = start + 1;
  const subject = `mount option ${quote(item)} at column ${position}`;
  if (key === "source") {
    const message = `${subject} is rejected because mount(8) already passes the device argument as the source (EINVAL) - remove it`;
    reject(state, { code: "source-option", option: null, token: item, position, message }, "EINVAL");
  } else if (MOUNT_FLAGS.has(key)) {
    const message = `${subject} is a generic mount flag, not a bpffs option`;
    note(state, { code: "mount-flag", option: null, token: item, position, message });
  } else if (key.startsWith("x-") || key === "comment") {
    const message = `${subject} is a mount(8) option, which mount(8) removes before calling mount(2)`;
    note(state, { code: "mount-flag", option: null, token: item, position, message });
  } else if (isSplitName(key, value !== null, state.tables, previous)) {
    const option = state.tables[previous.key].option;
    const before = `${option}=${shortValue(previous)}`;
    const message =
      `${subject} is ${withArticle(NAME_NOUNS[previous.key])} name, but the comma after ${before} hands ${key} ` +
      `to the kernel as a separate option, which it ignores - join names with ":" as in ${before}:${key}`;
    warn(state, { code: "unknown-option", option: null, token: item, position, message });
    // A run of split names (delegate_progs=xdp,kprobe,tracepoint) builds one value for the next message.
    return { key: previous.key, value: `${previous.value}:${key}` };
  } else {
    const problem = key === "" ? "has an empty name, so the kernel skips it" : "is not a bpffs option, so the kernel ignores it";
    warn(state, { code: "unknown-option", option: null, token: item, position, message: `${subject} ${problem} - ${unknownOptionRemedy(key)}` });
  }
  return null;
}

/** Parses a delegate option's value, or warns that a kernel without delegation ignores the option. */
function parseDelegateOption(
  state: ParseState,
  key: MaskKey,
  value: string | null,
  item: string,
  start: number,
  valueStart: number,
): void {
  const option = state.tables[key].option;
  if (!state.tables.delegation) {
    const message = `${option}: option at column ${start + 1} is ignored by Linux ${state.tables.kernel}, because delegation needs Linux 6.9 or later - target a newer kernel or drop the option`;
    warn(state, { code: "no-delegation", option, token: item, position: start + 1, message });
    return;
  }
  if (value === null || value === "") {
    const problem = value === null ? "has no value" : "has an empty value";
    const message = `${option}: option at column ${start + 1} ${problem} (EINVAL) - give names joined by ":", "any" or a number, as in ${option}=any`;
    reject(state, { code: "missing-value", option, token: item, position: start + 1, message }, "EINVAL");
  }
  parseValue(state, key, value, valueStart);
}

/**
 * Validates a bpffs `uid`, `gid` or `mode` option; the kernel rejects a bad
 * value with EINVAL. Warns about mode bits the kernel drops and about an
 * option that replaces an earlier one of the same name.
 */
function parseOwnerOption(
  state: ParseState,
  key: OwnerOption,
  value: string | null,
  item: string,
  start: number,
  valueStart: number,
): void {
  // NOTE: bpffs takes uid and gid since Linux 6.8, by the kernel's history
  // rather than a test here, and older kernels ignore them as unknown
  // options. Tables record only whether delegation (6.9) exists, so a 6.8
  // kernel is modelled as ignoring them too.
  if (key !== "mode" && !state.tables.delegation) {
    const message = `mount option ${quote(item)} at column ${start + 1} is ignored by Linux ${state.tables.kernel}, because bpffs takes uid and gid from Linux 6.8 on - drop it or target a newer kernel`;
    warn(state, { code: "unknown-option", option: null, token: item, position: start + 1, message });
    return;
  }

  const token = value ?? item;
  const position = value === null ? start + 1 : valueStart + 1;
  const parsed = parseOwnerValue(key, value);
  if (parsed === null) {
    const example = key === "mode" ? "mode=0700" : `${key}=1000`;
    const message = `${key}: ${quote(token)} at column ${position} is not ${OWNER_VALUES[key]} (EINVAL) - write it as in ${example}`;
    reject(state, { code: "invalid-owner-value", option: null, token, position, message }, "EINVAL");
  }

  const warnings = state.diagnostics.length;
  const stored = key === "mode" ? parsed & MODE_BITS : parsed;
  if (stored !== parsed) {
    const mode = octal(stored);
    const message = `mode: ${quote(token)} at column ${position} sets bits ${octal(parsed & ~MODE_BITS)} above 07777, which the kernel drops, so the mount gets mode ${mode} - write mode=${mode}`;
    warn(state, { code: "mode-bits-dropped", option: null, token, position, message });
  }
  const earlier = state.owners[key];
  if (earlier !== undefined) {
    const subject = `mount option ${quote(item)} at column ${start + 1}`;
    const problem = earlier.value === stored
      ? `repeats ${quote(earlier.item)} at column ${earlier.position}, which changes nothing`
      : `replaces ${quote(earlier.item)} at column ${earlier.position}, because the kernel keeps only the last ${key}=`;
    warn(state, { code: "repeated-owner-option", option: null, token: item, position: start + 1, message: `${subject} ${problem} - keep one ${key}= option` });
  }
  state.owners[key] = { item, position: start + 1, value: stored };

  if (state.diagnostics.length === warnings) {
    note(state, { code: "bpffs-option", option: null, token, position, message: `${key}: ${quote(token)} at column ${position} is valid` });
  }
}

/** Returns `value` in octal with a leading 0, as mode options are written: 448n becomes `0700`. */
function octal(value: bigint): string {
  return value === 0n ? "0" : `0${value.toString(8)}`;
}

/**
 * Parses one delegate option value: tokens split on `:`, left to right.
 * Names and `any` OR into the value's mask, a number replaces it, and the
 * value's mask is then ORed into the option's mask.
 */
function parseValue(state: ParseState, key: MaskKey, value: string, valueStart: number): void {
  const table = state.tables[key];
  let mask = 0n;
  let start = 0;
  for (;;) {
    const colon = value.indexOf(":", start);
    const end = colon === -1 ? value.length : colon;
    mask = parseToken(state, table, value.slice(start, end), valueStart + start + 1, mask);
    if (colon === -1) break;
    start = colon + 1;
  }
  state.masks[key] |= mask;
}

/** Parses one token at 1-based `position`, given the value's mask so far, and returns the new mask. */
function parseToken(state: ParseState, table: DelegateTable, token: string, position: number, mask: bigint): bigint {
  const option = table.option;
  const subject = `${option}: ${quote(token)} at column ${position}`;
  if (token === "") {
    const message = `${option}: empty name at column ${position} (EINVAL) - remove the extra ":"`;
    reject(state, { code: "empty-token", option, token, position, message }, "EINVAL");
  }
  if (token === "any") {
    note(state, { code: "any", option, token, position, message: `${subject} sets all 64 bits`, bits: U64_MAX });
    return U64_MAX;
  }

  const entry = lookupName(table, token);
  if (entry !== undefined) return mask | reportName(state, table, entry, token, position);

  const parsed = parseKernelUnsigned(token, 0, 64);
  if (typeof parsed === "string") {
    const problem = parsed === "ERANGE" ? "is larger than 2^64-1" : `is not ${withArticle(NAME_NOUNS[table.key])} name or a number`;
    const remedy = parsed === "ERANGE" ? `use "any" to delegate every ${NAME_NOUNS[table.key]}` : invalidTokenRemedy(token, state.tables, table.key);
    const code = parsed === "ERANGE" ? "number-out-of-range" : "invalid-token";
    reject(state, { code, option, token, position, message: `${subject} ${problem} (${parsed}) - ${remedy}` }, parsed);
  }
  reportNumber(state, table, token, position, parsed, mask);
  return parsed;
}

/** Returns the first enumerator named `token`, compared with ASCII-only case folding. */
function lookupName(table: DelegateTable, token: string): DelegateName | undefined {
  const byName = indexTable(table).byName;
  const exact = byName.get(token);
  if (exact !== undefined) return exact;

  const folded = foldAsciiCase(token);
  return folded === null || folded === token ? undefined : byName.get(folded);
}

/** Records the diagnostic of a name token and returns the bit it sets. */
function reportName(state: ParseState, table: DelegateTable, entry: DelegateName, token: string, position: number): bigint {
  const option = table.option;
  const bits = 1n << BigInt(entry.bit);
  const subject = `${option}: ${quote(token)} at column ${position}`;
  if (entry.outOfDomainValue !== undefined) {
    const value = entry.outOfDomainValue;
    const message =
      `${subject} is ${entry.cName} = ${value}, outside the mask's bits 0 to 63, so the kernel's shift by ${value} is undefined` +
      ` (x86-64 and arm64 set bit ${entry.bit}) - do not delegate it by name`;
    warn(state, { code: "out-of-domain-name", option, token, position, message, bits });
  } else if (entry.aliasOf !== undefined) {
    const message = `${subject} is an alias of ${quote(entry.aliasOf)} and sets bit ${entry.bit} (${entry.cName})`;
    note(state, { code: "alias", option, token, position, message, bits });
  } else {
    note(state, { code: "name", option, token, position, message: `${subject} sets bit ${entry.bit} (${entry.cName})`, bits });
  }
  return bits;
}

/** Records the diagnostic of a number token that replaces the value's mask `mask` with `value`. */
function reportNumber(state: ParseState, table: DelegateTable, token: string, position: number, value: bigint, mask: bigint): void {
  const option = table.option;
  const subject = `${option}: ${quote(token)} at column ${position}`;
  const lost = mask & ~value;
  const unusable = value & ~table.anyMask;
  const limit = table.sentinel === null ? `outside the any mask 0x${table.anyMask.toString(16)}` : `at or above ${table.sentinel.name} (${table.sentinel.value})`;

  if (lost !== 0n) {
    const message = `${subject} replaces the mask built so far in this value, dropping 0x${lost.toString(16)} - put numbers before names, or use one number or names only`;
    warn(state, { code: "number-replaces-mask", option, token, position, message, bits: value });
  } else if (unusable !== 0n && value !== U64_MAX) {
    const message = `${subject} sets bits 0x${unusable.toString(16)} ${limit}, which no ${NAME_NOUNS[table.key]} uses and /proc/mounts never shows - drop those bits, or use "any" for every ${NAME_NOUNS[table.key]}`;
    warn(state, { code: "bits-above-sentinel", option, token, position, message, bits: value });
  } else if (value === U64_MAX) {
    warn(state, { code: "bits-above-sentinel", option, token, position, bits: value, message: `${subject} sets all 64 bits - write "any" instead` });
  } else if (detectBase(token) === 8 && value >= 8n) {
    const message = `${subject} is octal because of its leading 0, so it means ${value}, not ${token.replace(/^\+?0+/, "")} - write ${value} or 0x${value.toString(16)}`;
    warn(state, { code: "octal-number", option, token, position, message, bits: value });
  } else if (token.endsWith("\n")) {
    warn(state, { code: "trailing-newline", option, token, position, bits: value, message: `${subject} ends with a newline, which the kernel skips after a number - remove it` });
  } else {
    note(state, { code: "number", option, token, position, bits: value, message: `${subject} sets the mask to 0x${value.toString(16)}` });
  }
}
