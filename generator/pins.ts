/**
 * The pinned header of each shipped kernel version, from headers/kernels.json,
 * and where its cached copy lives.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.js";
import { checkKernelLabel, compareKernels } from "./version.js";

/** The repository's headers/ directory. */
export const HEADERS_DIR = fileURLToPath(new URL("../headers/", import.meta.url));

/** A shipped kernel version and the header it is generated from. */
export interface KernelPin {
  readonly kernel: string;
  /** Base name of the header in the cache: `bpf.h`, or `vmlinux.h` for a BTF dump. */
  readonly file: string;
  readonly sha256: string;
  /** Description of where the pinned file came from. */
  readonly origin: string;
  /** A Debian package that installs the file, for `--from debian`. */
  readonly debian?: { readonly package: string; readonly version: string; readonly path: string };
  /** A URL that serves the file, for `--from web`. */
  readonly url?: string;
  /** A tag of the kernel's git tree whose include/uapi/linux/bpf.h is the file, for `--from kernel.org`. */
  readonly gitTag?: string;
}

function isSafeFileName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\\") && !name.includes("\0");
}

function checkPin(value: unknown, index: number, path: string): KernelPin {
  const entry = value as Partial<KernelPin> | null;
  const where = `${path}: kernels[${index}]`;
  if (entry === null || typeof entry !== "object") throw new UsageError(`${where} is not an object`);
  if (entry.kernel === undefined) throw new UsageError(`${where}: kernel is missing`);
  if (typeof entry.kernel !== "string") throw new UsageError(`${where}: kernel must be a string such as "6.18"`);
  try {
    checkKernelLabel(entry.kernel);
  } catch {
    throw new UsageError(`${where}: invalid kernel "${entry.kernel}" - use MAJOR.MINOR such as 6.18, or next`);
  }
  if (typeof entry.file !== "string" || !isSafeFileName(entry.file)) {
    throw new UsageError(`${where}: file must be a plain file name such as bpf.h`);
  }
  if (typeof entry.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
    throw new UsageError(`${where}: sha256 must be 64 lowercase hex digits`);
  }
  if (typeof entry.origin !== "string") throw new UsageError(`${where}: origin is missing`);
  return entry as KernelPin;
}

/** Reads and checks headers/kernels.json (or another pin file), oldest version first. */
export function readPins(path: string = join(HEADERS_DIR, "kernels.json")): KernelPin[] {
  let document: { kernels?: unknown };
  try {
    document = JSON.parse(readFileSync(path, "utf8")) as { kernels?: unknown };
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(document.kernels)) throw new UsageError(`${path}: "kernels" must be an array`);
  const pins = document.kernels.map((entry, index) => checkPin(entry, index, path));
  const labels = new Set<string>();
  for (const pin of pins) {
    if (labels.has(pin.kernel)) throw new UsageError(`${path}: kernel ${pin.kernel} is listed twice`);
    labels.add(pin.kernel);
  }
  return pins.sort((a, b) => compareKernels(a.kernel, b.kernel));
}

/** Returns the cache directory for pinned headers. */
export function cacheDir(headersDir: string = HEADERS_DIR): string {
  return join(headersDir, "cache");
}

/** Returns where a pinned header is cached: headers/cache/<kernel>/<file>. */
export function cachedHeaderPath(pin: KernelPin, headersDir: string = HEADERS_DIR): string {
  return join(cacheDir(headersDir), pin.kernel, pin.file);
}

/** Returns the pins whose header is in the cache. */
export function cachedPins(pins: readonly KernelPin[], headersDir: string = HEADERS_DIR): KernelPin[] {
  return pins.filter((pin) => existsSync(cachedHeaderPath(pin, headersDir)));
}

/**
 * Finds the pin of a version label, or raises a UsageError listing the
 * shipped ones and ending with `hint`, the next step for the command at hand.
 */
export function findPin(
  pins: readonly KernelPin[],
  kernel: string,
  hint = `pass --header FILE --kernel ${kernel} to generate it from a header`,
): KernelPin {
  const pin = pins.find((candidate) => candidate.kernel === kernel);
  if (pin === undefined) {
    throw new UsageError(`kernel ${kernel} is not in headers/kernels.json (shipped: ${pins.map((entry) => entry.kernel).join(", ")}) - ${hint}`);
  }
  return pin;
}
