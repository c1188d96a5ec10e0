/**
 * Parses BPF filesystem mount options the way a given kernel does, and gives
 * every token a diagnostic. Kernel mode predicts the kernel's masks and
 * errors exactly. Strict mode also rejects what the kernel accepts with a warning.
 */
import { parseValue } from "./delegate-value.js";
import { MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
import { BpfUapiError, quote } from "./errors.js";
import { resolveKernel } from "./kernel.js";
import { findUtf8Cut, MAX_MOUNT_DATA_BYTES } from "./mount-data.js";
import { parseOwnerOption } from "./owner-options.js";
import { note, reject, warn, type ParseOptions, type ParseResult, type ParseState } from "./parse-state.js";
import { isSplitName, NAME_NOUNS, shortValue, unknownOptionRemedy, withArticle, type PreviousDelegate } from "./suggest.js";

export type { DelegateMasks, Diagnostic, ParseMode, ParseOptions, ParseResult } from "./parse-state.js";

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
