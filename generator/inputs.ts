/**
 * The headers a generate or check run reads: every pinned version whose
 * header is cached, or the system header when the cache is empty.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { VersionInput } from "./generate.js";
import { cachedHeaderPath, findPin, readPins, type KernelPin } from "./pins.js";
import { sha256Hex } from "./source.js";
import { readKernelVersion } from "./version.js";

export const SYSTEM_HEADER = "/usr/include/linux/bpf.h";
export const SYSTEM_VERSION_HEADER = "/usr/include/linux/version.h";

export interface InputPlan {
  readonly inputs: readonly VersionInput[];
  /** Pinned versions whose header is not cached, so they are kept as they are. */
  readonly notCached: readonly KernelPin[];
  /** Origin of the inputs, for the summary line. */
  readonly origin: string;
}

/**
 * Plans the inputs of a run without `--header`: the cached header of
 * `kernel` when given, else every cached pinned header, else the system's.
 */
export async function planInputs(headersDir: string, kernel?: string): Promise<InputPlan> {
  const pins = readPins(join(headersDir, "kernels.json"));
  if (kernel !== undefined) {
    const pin = findPin(pins, kernel);
    const path = cachedHeaderPath(pin, headersDir);
    if (!existsSync(path)) {
      return { inputs: [], notCached: [pin], origin: "headers/cache" };
    }
    return { inputs: [{ kernel, headerPath: path }], notCached: [], origin: "headers/cache" };
  }
  const cached = pins.filter((pin) => existsSync(cachedHeaderPath(pin, headersDir)));
  const notCached = pins.filter((pin) => !cached.includes(pin));
  if (cached.length > 0) {
    return {
      inputs: cached.map((pin) => ({ kernel: pin.kernel, headerPath: cachedHeaderPath(pin, headersDir) })),
      notCached,
      origin: "headers/cache",
    };
  }
  // The system header replaces the pinned version it matches, if any, and
  // every other pinned version is reported as not cached.
  const systemKernel = await readKernelVersion(SYSTEM_VERSION_HEADER);
  const systemSha256 = await fileSha256(SYSTEM_HEADER);
  const unmatched = pins.filter((pin) => pin.sha256 !== systemSha256);
  return { inputs: [{ kernel: systemKernel, headerPath: SYSTEM_HEADER }], notCached: unmatched, origin: SYSTEM_HEADER };
}

/** Returns the sha256 of a file, or "" when it cannot be read, which the header read then reports. */
async function fileSha256(path: string): Promise<string> {
  const bytes = await readFile(path).catch(() => null);
  return bytes === null ? "" : sha256Hex(bytes);
}

/** Formats the message for a pinned version whose header is not cached. */
export function notCachedMessage(pin: KernelPin): string {
  return `${pin.kernel}: header not cached (headers/cache/${pin.kernel}/${pin.file}) - fill it with npm run headers -- --from DIR`;
}
