/**
 * Converts delegate masks to and from the systemd unit settings that mount a
 * private bpffs with delegation (systemd 258+, with `PrivateBPF=yes`):
 * `BPFDelegateCommands=`, `BPFDelegateMaps=`, `BPFDelegatePrograms=` and
 * `BPFDelegateAttachments=`.
 *
 * Syntax, as systemd's own test TEST-07-PID1.private-bpf.sh uses it: a
 * comma-separated list of C enumerator names in CamelCase with `BPF` kept
 * upper case (`BPF_MAP_TYPE_CPUMAP` is `BPFMapTypeCpumap`, `BPF_PROG_TYPE_XDP`
 * is `BPFProgTypeXdp`), or `any`. `BPFDelegateCommands=BPFObjPin,BPFBtfLoad`
 * mounts bpffs with `delegate_cmds=obj_pin:btf_load`.
 */
import { MASK_KEYS, type MaskKey } from "./enums.js";
import { BpfUapiError, quote } from "./errors.js";
import { foldAsciiCase, resolveKernel } from "./kernel.js";
import { U64_MAX } from "./number.js";
import type { DelegateMasks } from "./parse.js";
import { NAME_NOUNS } from "./suggest.js";
import type { DelegateTable, KernelTables } from "./tables.js";

/** The systemd setting that sets each delegate mask. */
export const SYSTEMD_SETTINGS: Readonly<Record<MaskKey, string>> = {
  cmds: "BPFDelegateCommands",
  maps: "BPFDelegateMaps",
  progs: "BPFDelegatePrograms",
  attachs: "BPFDelegateAttachments",
};

const SETTING_KEYS: ReadonlyMap<string, MaskKey> = new Map(MASK_KEYS.map((key) => [SYSTEMD_SETTINGS[key], key]));

/** Returns systemd's name for a C enumerator: `BPF_MAP_TYPE_CPUMAP` becomes `BPFMapTypeCpumap`. */
export function systemdName(cName: string): string {
  const words = cName.split("_").filter((word) => word !== "");
  const [first, ...rest] = words;
  const tail = rest.map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
  return (first === "BPF" ? "BPF" : capitalize(first ?? "")) + tail.join("");
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/**
 * Returns the systemd settings for `masks`, one `Setting=value` line per
 * non-zero mask in the order cmds, maps, progs, attachs. A mask that covers
 * every name of the option prints `any`, and bits the kernel drops are left
 * out, as the formatter does. Throws a BpfUapiError with code
 * `unnamed-bits` for bits that no name of that kernel covers, because
 * systemd takes names only.
 */
export function toSystemd(masks: Partial<DelegateMasks>, options: { kernel?: string | KernelTables } = {}): string[] {
  const tables = resolveKernel(options.kernel);
  const lines: string[] = [];
  for (const key of MASK_KEYS) {
    const value = systemdValue(tables[key], masks[key] ?? 0n, tables.kernel);
    if (value !== null) lines.push(`${SYSTEMD_SETTINGS[key]}=${value}`);
  }
  return lines;
}

function systemdValue(table: DelegateTable, mask: bigint, kernel: string): string | null {
  let remaining = mask & table.anyMask;
  if (remaining === 0n) return null;
  if (remaining === table.anyMask) return "any";

  const names: string[] = [];
  for (const entry of table.names) {
    const bit = 1n << BigInt(entry.bit);
    if (entry.outOfDomainValue !== undefined || (remaining & bit) === 0n) continue;
    names.push(systemdName(entry.cName));
    remaining &= ~bit;
  }
  if (remaining !== 0n) {
    const setting = SYSTEMD_SETTINGS[table.key];
    throw new BpfUapiError(
      "unnamed-bits",
      `${table.option}: bits 0x${remaining.toString(16)} have no ${NAME_NOUNS[table.key]} name in Linux ${kernel}, and ${setting}= takes names only - drop those bits or target a kernel that names them`,
    );
  }
  return names.join(",");
}

/**
 * Parses systemd unit text (a unit file, a drop-in or `-p Setting=value`
 * arguments joined by newlines) and returns the delegate masks its four
 * BPFDelegate settings set. Other settings, section headers and comments are
 * skipped. Names are matched case-sensitively, as systemd's string tables do.
 * Throws a BpfUapiError with code `invalid-systemd-name` for a name that
 * kernel lacks, and `unknown-systemd-setting` for a misspelt BPFDelegate setting.
 */
export function parseSystemd(text: string, options: { kernel?: string | KernelTables } = {}): DelegateMasks {
  const tables = resolveKernel(options.kernel);
  const masks: DelegateMasks = { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n };
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) continue;

    const equals = line.indexOf("=");
    const setting = (equals === -1 ? line : line.slice(0, equals)).trim();
    const key = SETTING_KEYS.get(setting);
    if (key === undefined) {
      rejectUnknownSetting(setting, index + 1);
      continue;
    }
    const value = equals === -1 ? "" : line.slice(equals + 1).trim();
    // NOTE: an empty value resets the setting, as systemd does for its list
    // settings, and repeated settings combine. systemd's own documentation
    // read for this module does not state either rule for these settings.
    masks[key] = value === "" ? 0n : masks[key] | parseSystemdValue(tables, key, value, index + 1);
  }
  return masks;
}

/** Throws for a setting that looks like a misspelt BPFDelegate setting; other settings are skipped. */
function rejectUnknownSetting(setting: string, line: number): void {
  if (!setting.toLowerCase().startsWith("bpfdelegate")) return;

  const known = [...SETTING_KEYS.keys()];
  const match = known.find((name) => name.toLowerCase() === setting.toLowerCase());
  const remedy = match === undefined ? `use one of ${known.map((name) => `${name}=`).join(", ")}` : `write ${match}=`;
  throw new BpfUapiError("unknown-systemd-setting", `line ${line}: ${quote(setting)} is not a systemd BPF delegation setting - ${remedy}`);
}

function parseSystemdValue(tables: KernelTables, key: MaskKey, value: string, line: number): bigint {
  const byName = systemdNames(tables[key]);
  let mask = 0n;
  for (const rawWord of value.split(",")) {
    const word = rawWord.trim();
    if (word === "") continue;
    if (word === "any") return U64_MAX;

    const bit = byName.get(word);
    if (bit === undefined) throw invalidName(tables, key, word, line, byName);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

const nameCache = new WeakMap<DelegateTable, ReadonlyMap<string, number>>();

/** Returns systemd's names of a table's in-domain enumerators, aliases included, mapped to their bits. */
function systemdNames(table: DelegateTable): ReadonlyMap<string, number> {
  const cached = nameCache.get(table);
  if (cached !== undefined) return cached;

  const names = new Map<string, number>();
  for (const entry of table.names) {
    if (entry.outOfDomainValue === undefined) names.set(systemdName(entry.cName), entry.bit);
  }
  nameCache.set(table, names);
  return names;
}

function invalidName(tables: KernelTables, key: MaskKey, word: string, line: number, byName: ReadonlyMap<string, number>): BpfUapiError {
  const setting = SYSTEMD_SETTINGS[key];
  const folded = word.toLowerCase();
  const sameLetters = [...byName.keys()].find((name) => name.toLowerCase() === folded);
  const kernelName = tables[key].names.find((entry) => entry.outOfDomainValue === undefined && entry.name === foldAsciiCase(word));

  let remedy = `use ${NAME_NOUNS[key]} names such as ${[...byName.keys()].slice(1, 3).join(", ")}, or any`;
  if (/\s/.test(word)) remedy = `write ${setting}=${word.split(/\s+/).join(",")}, because systemd separates names with commas`;
  else if (sameLetters !== undefined) remedy = `names are case-sensitive, write ${sameLetters}`;
  else if (kernelName !== undefined) remedy = `systemd spells ${quote(kernelName.name)} as ${systemdName(kernelName.cName)}`;
  return new BpfUapiError(
    "invalid-systemd-name",
    `line ${line}: ${setting}= ${quote(word)} is not a ${NAME_NOUNS[key]} name in Linux ${tables.kernel} - ${remedy}`,
  );
}
