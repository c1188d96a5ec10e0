/**
 * Output, colour, exit codes and argument errors shared by the commands of
 * the `bpf-uapi` command line.
 */
import { MASK_KEYS, type MaskKey } from "../enums.js";
import type { DelegateMasks } from "../parse.js";

/** Exit code of a run with no finding. */
export const EXIT_OK = 0;
/** Exit code of a finding: rejected input, or a lint with `--strict`. */
export const EXIT_FINDING = 1;
/** Exit code of a usage error: unknown command or option, missing or invalid argument. */
export const EXIT_USAGE = 2;

/** Where a command writes, and whether it may colour its output. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly color: boolean;
}

/** An invalid command line, reported with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Returns whether to colour output: never when NO_COLOR is set to a non-empty
 * value (no-color.org), always when FORCE_COLOR is set to a value other than
 * `0`, and otherwise only when stdout is a terminal.
 */
export function shouldColor(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return isTty;
}

const STYLES = { bold: "1", dim: "2", red: "31", yellow: "33", green: "32", cyan: "36" } as const;

/** A style name of `paint`. */
export type Style = keyof typeof STYLES;

/** Wraps `text` in the ANSI escape of `style` when `io` allows colour. */
export function paint(io: Io, style: Style, text: string): string {
  return io.color ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}

/** The style of a diagnostic or lint severity. */
export function severityStyle(severity: string): Style {
  if (severity === "error") return "red";
  return severity === "warning" ? "yellow" : "dim";
}

/** Returns `value` as a `0x` hex string: 33n becomes `0x21`. */
export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** The four masks as `0x` hex strings, for JSON output. */
export function hexMasks(masks: DelegateMasks): Record<MaskKey, string> {
  const result = {} as Record<MaskKey, string>;
  for (const key of MASK_KEYS) result[key] = hex(masks[key]);
  return result;
}

/** Writes `value` as one line of indented JSON, with bigints as `0x` hex strings. */
export function writeJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, (_key, field: unknown) => (typeof field === "bigint" ? hex(field) : field), 2)}\n`);
}

/** Pads each column of `rows` to its widest cell and joins the cells with two spaces. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows
    .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell)))).join("  "))
    .join("\n");
}

/** Returns the length of `text` without ANSI escapes. */
function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}
