/**
 * `bpf-uapi mounts`: decodes and lints the delegation of every bpffs mount
 * in /proc/self/mountinfo or a given file.
 */
import { open } from "node:fs/promises";
import os from "node:os";
import { DEFAULT_KERNEL } from "../../generated/index.js";
import { DelegationError } from "../errors.js";
import { format } from "../format.js";
import { resolveKernel, shippedKernels } from "../kernel.js";
import { lint } from "../lint.js";
import { isMountLine, readBpffsMounts, type BpffsMount } from "../mounts.js";
import { parse } from "../parse.js";
import type { KernelTables } from "../tables.js";
import { expectPositionals, flag, KERNEL_OPTIONS, stringValue, type Command } from "./command.js";
import { EXIT_FINDING, EXIT_OK, paint, UsageError, writeJson, type Io } from "./io.js";
import { buildReport, printReport, type Report } from "./report.js";
import { InputRejection, jsonError, type JsonError } from "./rejection.js";

const DEFAULT_FILE = "/proc/self/mountinfo";

/**
 * Maximum bytes read from a mount table. A mountinfo line is a few hundred
 * bytes, so 16 MiB has room for tens of thousands of mounts, and a larger
 * file is not a mount table. Without the cap, `--file /dev/zero` reads until
 * the string length limit fails.
 */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/** One mount in the output: where it is and its decoded delegation, or why it could not be decoded. */
interface MountReport {
  readonly mountPoint: string;
  readonly source: string;
  readonly mountId: number | null;
  readonly line: number;
  readonly options: string;
  readonly report: Report | null;
  readonly error: JsonError | null;
}

export const mountsCommand: Command = {
  name: "mounts",
  summary: "decode and lint the delegation of every bpffs mount",
  help: `Usage: bpf-uapi mounts [--file PATH] [--kernel X.Y] [--strict] [--json]

Lists every bpffs mount in /proc/self/mountinfo, or in PATH (mountinfo or
/proc/mounts format), with its delegate masks decoded and linted. Mounts
without delegate options are listed but not linted.

Options:
  --file PATH    read mounts from PATH instead of ${DEFAULT_FILE}
  --kernel X.Y   kernel version to model (default: the running kernel's X.Y
                 when its tables are shipped, else ${DEFAULT_KERNEL})
  --strict       exit 1 when a lint reports an error or warning
  --json         print one JSON object instead of text
  -h, --help     show this help

Exit status: 0 decoded, 1 an option that does not parse (or a lint with
--strict), 2 usage error or unreadable file.

Example:
  $ bpf-uapi mounts --file /proc/self/mountinfo --json
`,
  options: { ...KERNEL_OPTIONS, file: { type: "string" }, strict: { type: "boolean" } },
  async run(values, positionals, io) {
    expectPositionals("mounts", positionals, []);
    const tables = resolveKernel(stringValue(values, "kernel") ?? runningKernel());
    const file = stringValue(values, "file") ?? DEFAULT_FILE;
    const mounts = readBpffsMounts(await readText(file));
    const reports = mounts.map((mount) => decodeMount(mount, tables));

    if (flag(values, "json")) writeJson(io, { kernel: tables.kernel, file, mounts: reports });
    else printMounts(io, tables.kernel, file, reports);

    const failed = reports.some((mount) => mount.error !== null);
    const linted = flag(values, "strict") && reports.some((mount) => (mount.report?.lints.length ?? 0) > 0);
    return failed || linted ? EXIT_FINDING : EXIT_OK;
  },
};

/** Returns the running kernel's X.Y when its tables are shipped, else the default kernel. */
function runningKernel(): string {
  const match = /^(\d+)\.(\d+)/.exec(os.release());
  const label = match === null ? "" : `${match[1]}.${match[2]}`;
  return shippedKernels().includes(label) ? label : DEFAULT_KERNEL;
}

/**
 * Reads `file` as UTF-8, at most MAX_FILE_BYTES, and checks that it is a
 * mount table. Reads in chunks instead of by size, because files under
 * /proc report a size of 0. Throws a UsageError for an unreadable,
 * oversized or non-mount-table file.
 */
async function readText(file: string): Promise<string> {
  const bytes = await readCapped(file);
  if (bytes === null) {
    throw new UsageError(`mounts: ${file} is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB, so it is not a mount table - pass a mountinfo or /proc/mounts file with --file`);
  }

  // A mount table may contain lines this tool does not know, so only a file
  // with a NUL byte or without any mount line is rejected.
  const text = new TextDecoder().decode(bytes);
  const lines = text.split("\n");
  const nulLine = lines.findIndex((line) => line.includes("\0"));
  const hasMountLine = lines.some((line) => isMountLine(line));
  if (nulLine !== -1 || (!hasMountLine && text.trim() !== "")) {
    const problem = nulLine !== -1 ? `has a NUL byte on line ${nulLine + 1}` : "has no mountinfo or /proc/mounts line";
    throw new UsageError(`mounts: ${file} ${problem}, so it is not a mount table - pass a mountinfo or /proc/mounts file with --file`);
  }
  return text;
}

/** Returns the bytes of `file`, or null when it has more than MAX_FILE_BYTES. */
async function readCapped(file: string): Promise<Uint8Array | null> {
  try {
    const handle = await open(file, "r");
    try {
      const buffer = new Uint8Array(MAX_FILE_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, Math.min(READ_CHUNK_BYTES, buffer.length - length), null);
        if (bytesRead === 0) return buffer.subarray(0, length);
        length += bytesRead;
      }
      return null;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new UsageError(`mounts: cannot read ${file} (${reason}) - pass a readable mountinfo or /proc/mounts file with --file`);
  }
}

function decodeMount(mount: BpffsMount, tables: KernelTables): MountReport {
  const base = { mountPoint: mount.mountPoint, source: mount.source, mountId: mount.mountId, line: mount.line, options: mount.superOptions };
  try {
    const result = parse(mount.superOptions, { kernel: tables });
    const delegates = result.diagnostics.some((diagnostic) => diagnostic.option !== null);
    // A bpffs without delegate options is an ordinary mount, not a failed delegation.
    const lints = delegates ? lint(result.masks, { kernel: tables }) : [];
    const report = buildReport(tables, result.masks, result.diagnostics, format(result.masks, { kernel: tables }), lints);
    return { ...base, report, error: null };
  } catch (error) {
    if (!(error instanceof DelegationError)) throw error;
    return { ...base, report: null, error: jsonError(new InputRejection(error, mount.superOptions, tables), error.code) };
  }
}

function printMounts(io: Io, kernel: string, file: string, reports: readonly MountReport[]): void {
  if (reports.length === 0) {
    io.stdout(`no bpffs mounts in ${file}\n`);
    return;
  }
  io.stdout(`${reports.length} bpffs mount${reports.length === 1 ? "" : "s"} in ${file}, modelled as Linux ${kernel}\n`);
  for (const mount of reports) {
    const id = mount.mountId === null ? "" : `mount ${mount.mountId}, `;
    io.stdout(`\n${paint(io, "bold", mount.mountPoint)} (${id}line ${mount.line}, source ${mount.source})\n  options ${mount.options}\n\n`);
    if (mount.error !== null) io.stdout(`  ${paint(io, "red", "error")} ${mount.error.message}\n`);
    if (mount.report !== null) printReport(io, mount.report, "  ");
  }
}
