/**
 * Explains parse diagnostics token by token and prints the report that
 * `parse` and `mounts` share: tokens, masks, what /proc/mounts shows, lints.
 */
import { MASK_KEYS, type DelegateOption, type MaskKey } from "../enums.js";
import { foldAsciiCase, indexTable } from "../kernel.js";
import type { Lint } from "../lint.js";
import type { DelegateMasks, Diagnostic } from "../parse.js";
import type { KernelTables } from "../tables.js";
import { hex, hexMasks, paint, severityStyle, table, type Io } from "./io.js";

/** One token of the input with what it resolved to. */
export interface TokenExplanation {
  readonly severity: Diagnostic["severity"];
  readonly code: string;
  readonly option: DelegateOption | null;
  readonly token: string;
  /** 1-based column in the input. */
  readonly position: number;
  /** The kernel name the token matched, or null for numbers, `any` and other options. */
  readonly name: string | null;
  /** The bit that name sets, or null. */
  readonly bit: number | null;
  /** The C enumerator of that name, such as `BPF_MAP_CREATE`, or null. */
  readonly cName: string | null;
  /** For an alias, the name the kernel prints in its place, or null. */
  readonly alias: string | null;
  /** The bits the token sets, as `0x` hex, or null. */
  readonly bits: string | null;
  readonly message: string;
}

/** The report of one parsed option string, as `parse --json` prints it. */
export interface Report {
  readonly kernel: string;
  readonly masks: Record<MaskKey, string>;
  readonly shown: string;
  readonly diagnostics: TokenExplanation[];
  readonly lints: Lint[];
}

const OPTION_KEYS: ReadonlyMap<string, MaskKey> = new Map(MASK_KEYS.map((key) => [`delegate_${key}`, key]));

/** Adds to a diagnostic the name, bit and alias its token resolved to in `tables`. */
export function explain(diagnostic: Diagnostic, tables: KernelTables): TokenExplanation {
  const key = diagnostic.option === null ? undefined : OPTION_KEYS.get(diagnostic.option);
  const folded = foldAsciiCase(diagnostic.token);
  const entry = key === undefined || folded === null ? undefined : indexTable(tables[key]).byName.get(folded);
  const isName = entry !== undefined && ["name", "alias", "out-of-domain-name"].includes(diagnostic.code);
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    option: diagnostic.option,
    token: diagnostic.token,
    position: diagnostic.position,
    name: isName ? entry.name : null,
    bit: isName ? entry.bit : null,
    cName: isName ? entry.cName : null,
    alias: isName ? (entry.aliasOf ?? null) : null,
    bits: diagnostic.bits === undefined ? null : hex(diagnostic.bits),
    message: diagnostic.message,
  };
}

/** Builds the report of a parse: explained tokens, hex masks, the /proc/mounts text and lints. */
export function buildReport(tables: KernelTables, masks: DelegateMasks, diagnostics: readonly Diagnostic[], shown: string, lints: Lint[]): Report {
  return {
    kernel: tables.kernel,
    masks: hexMasks(masks),
    shown,
    diagnostics: diagnostics.map((diagnostic) => explain(diagnostic, tables)),
    lints,
  };
}

/** Returns the short meaning of a token for the text table. */
function meaning(token: TokenExplanation): string {
  if (token.name !== null && token.code !== "out-of-domain-name") {
    const alias = token.alias === null ? "" : `, alias of ${token.alias}`;
    return `bit ${token.bit} ${token.cName}${alias}`;
  }
  if (token.code === "any") return "all 64 bits";
  if (token.code === "number") return `mask ${token.bits}`;
  if (token.code === "mount-flag") return "mount flag, ignored by bpffs";
  if (token.code === "bpffs-option") return "valid bpffs option";
  return token.message;
}

/** Prints a report as text: a token table, the masks, the /proc/mounts text and the lints. */
export function printReport(io: Io, report: Report, indent = ""): void {
  const header = ["COLUMN", "SEVERITY", "OPTION", "TOKEN", "MEANING"].map((cell) => paint(io, "bold", cell));
  const rows = report.diagnostics.map((token) => [
    String(token.position),
    paint(io, severityStyle(token.severity), token.severity),
    token.option ?? "-",
    JSON.stringify(token.token).slice(1, -1),
    meaning(token),
  ]);
  const lines: string[] = [];
  if (rows.length > 0) lines.push(table([header, ...rows], `${indent}  `), "");

  lines.push(`${indent}${paint(io, "bold", "masks")}`);
  lines.push(table(MASK_KEYS.map((key) => [key, report.masks[key]]), `${indent}  `), "");
  lines.push(`${indent}${paint(io, "bold", `/proc/mounts on Linux ${report.kernel} shows`)}`);
  lines.push(`${indent}  ${report.shown === "" ? paint(io, "dim", "(no delegate options)") : report.shown}`, "");
  lines.push(...lintLines(io, report.lints, indent));
  io.stdout(`${lines.join("\n")}\n`);
}

/** Returns the text lines of the lints section. */
export function lintLines(io: Io, lints: readonly Lint[], indent = ""): string[] {
  if (lints.length === 0) return [`${indent}${paint(io, "bold", "lints")}`, `${indent}  ${paint(io, "green", "none")}`];
  const rows = lints.map((found) => [paint(io, severityStyle(found.severity), found.severity), found.code, found.message]);
  return [`${indent}${paint(io, "bold", "lints")}`, table(rows, `${indent}  `)];
}
