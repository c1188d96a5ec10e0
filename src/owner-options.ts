/**
 * The bpffs options `uid`, `gid` and `mode`, which bpffs validates beside the
 * delegate options and which set the owner and mode of the mount's root.
 */
import { quote } from "./errors.js";
import { parseOwnerValue, type OwnerOption } from "./number.js";
import { note, reject, warn, type ParseState } from "./parse-state.js";

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

/**
 * Validates a bpffs `uid`, `gid` or `mode` option; the kernel rejects a bad
 * value with EINVAL. Warns about mode bits the kernel drops and about an
 * option that replaces an earlier one of the same name.
 */
export function parseOwnerOption(
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
