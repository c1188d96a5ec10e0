/**
 * The shape of a `bpf-uapi` command and helpers for its arguments.
 */
import { KERNELS, DEFAULT_KERNEL } from "../../generated/index.js";
import { UsageError, type Io } from "./io.js";

/** Option definitions in the form node:util parseArgs takes. */
export type OptionSpecs = Readonly<Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>>;

/** Parsed values of a command's options. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** One subcommand of the command line. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Full help: usage line, description, options and an example. */
  readonly help: string;
  /** Options besides `--help`, which every command takes. */
  readonly options: OptionSpecs;
  /** Runs the command and returns its exit code. */
  run(values: OptionValues, positionals: readonly string[], io: Io): Promise<number> | number;
}

/** The options every command that reads tables takes. */
export const KERNEL_OPTIONS: OptionSpecs = {
  kernel: { type: "string" },
  json: { type: "boolean" },
};

/** Help lines for `--kernel` and `--json`. */
export const KERNEL_HELP = [
  `  --kernel X.Y   kernel version to model: ${KERNELS.join(", ")} (default ${DEFAULT_KERNEL});`,
  "                 a uname -r string such as 6.18.4-arch1 selects its X.Y",
  "  --json         print one JSON object instead of text",
].join("\n");

/** Returns a string option, or undefined when it is absent. */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** Returns every value of a string option declared with `multiple: true`, in command line order. */
export function stringValues(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === "string");
}

/** Returns whether a boolean option is set. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** Throws a UsageError unless there are exactly `count` positionals, named by `names` in the message. */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): void {
  if (positionals.length === names.length) return;
  const problem = positionals.length < names.length ? `missing ${names.slice(positionals.length).join(" and ")}` : `unexpected argument ${JSON.stringify(positionals[names.length])}`;
  throw new UsageError(`${command}: ${problem} - run "bpf-uapi ${command} --help" for usage`);
}
