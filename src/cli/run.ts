/**
 * Argument dispatch of the `bpf-uapi` command line: picks the command,
 * parses its options with node:util parseArgs and maps errors to exit codes.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_KERNEL, KERNELS } from "../../generated/index.js";
import { BpfUapiError } from "../errors.js";
import { closestByEditDistance } from "./closest.js";
import type { Command } from "./command.js";
import { convertCommand } from "./convert-command.js";
import { diffCommand } from "./diff-command.js";
import { formatCommand } from "./format-command.js";
import { EXIT_FINDING, EXIT_OK, EXIT_USAGE, paint, UsageError, writeJson, type Io } from "./io.js";
import { mountsCommand } from "./mounts-command.js";
import { parseCommand } from "./parse-command.js";
import { InputRejection, jsonError, rejectionLines } from "./rejection.js";

const COMMANDS: readonly Command[] = [parseCommand, formatCommand, mountsCommand, diffCommand, convertCommand];

/** BpfUapiError codes that mean a bad argument rather than bad input. */
const USAGE_CODES: ReadonlySet<string> = new Set(["unknown-kernel"]);

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const commands = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join("\n");
  return `Usage: bpf-uapi COMMAND [options]

Predicts what a Linux kernel accepts for the BPF filesystem delegation mount
options (delegate_cmds, delegate_maps, delegate_progs, delegate_attachs,
Linux 6.9+) and what it shows in /proc/mounts.

Commands:
${commands}

Options:
  -h, --help     show this help, or a command's help after the command
  -v, --version  print the version

Kernels: ${KERNELS.join(", ")} (default ${DEFAULT_KERNEL})

With --json, a failed command prints {"error": {...}} with message, code,
option, token, position (1-based column), errno, and diagnostics: for rejected
input, the tokens parsed up to and including the rejected one, in the shape
of "parse --json" diagnostics, and otherwise an empty list.

Example:
  $ bpf-uapi parse delegate_cmds=map_create:prog_load
`;
}

/** Returns the version field of the package.json that contains this file. */
export function packageVersion(): string {
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
      if (typeof manifest === "object" && manifest !== null && "name" in manifest && manifest.name === "bpf-uapi" && "version" in manifest) {
        return String(manifest.version);
      }
    } catch {
      // No readable package.json here, so look one directory up.
    }
    if (dir.pathname === "/") return "unknown";
  }
}

/**
 * Runs the command line with `argv` (without the node and script paths) and
 * returns the exit code: 0 success, 1 a finding, 2 a usage error.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const json = argv.includes("--json");
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const status = exitStatus(error);
    if (status === null) throw error;
    reportError(io, error, json, status);
    return status;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const command = name === "help" ? findCommand(rest[0] ?? "") : undefined;
    io.stdout(command?.help ?? topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === "-v" || name === "--version") {
    io.stdout(`bpf-uapi ${packageVersion()}\n`);
    return EXIT_OK;
  }

  const command = findCommand(name);
  const { values, positionals } = parseOptions(command, rest);
  if (values["help"] === true) {
    io.stdout(command.help);
    return EXIT_OK;
  }
  return command.run(values, positionals, io);
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command !== undefined) return command;

  const closest = closestByEditDistance(name, COMMANDS.map((candidate) => candidate.name));
  const remedy = closest === null ? `use one of ${COMMANDS.map((candidate) => candidate.name).join(", ")}` : `did you mean "${closest}"?`;
  throw new UsageError(`${JSON.stringify(name)} is not a bpf-uapi command - ${remedy}`);
}

function parseOptions(command: Command, args: readonly string[]): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({
      args: [...args],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new UsageError(`${command.name}: ${argumentProblem(error)} - run "bpf-uapi ${command.name} --help" for usage`);
  }
}

/** Rewords a parseArgs error as a short lowercase problem: `unknown option --bogus`. */
function argumentProblem(error: TypeError): string {
  const code = "code" in error ? error.code : undefined;
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quoted}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `option ${quoted.split(" ")[0] ?? quoted} needs a value`;
  const firstSentence = error.message.split(". ")[0] ?? error.message;
  return firstSentence.charAt(0).toLowerCase() + firstSentence.slice(1).replace(/\.$/, "");
}

/** Returns the exit code for an error the command line reports, or null for an unexpected error. */
function exitStatus(error: Error): number | null {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof InputRejection) return EXIT_FINDING;
  if (error instanceof BpfUapiError) return USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FINDING;
  return null;
}

function reportError(io: Io, error: Error, json: boolean, status: number): void {
  if (json) {
    writeJson(io, { error: jsonError(error, status === EXIT_USAGE ? "usage" : "error") });
    return;
  }
  const lines = error instanceof InputRejection ? rejectionLines(io, error) : [error.message];
  const [first, ...rest] = lines;
  io.stderr(`${paint(io, "red", "bpf-uapi: error:")} ${first ?? ""}\n${rest.map((line) => `${line}\n`).join("")}`);
}
