/**
 * Locates the shared test headers: real bpf.h snapshots (kernel releases and
 * libbpf tags) and a vmlinux.h, listed in a manifest.json beside them. They
 * live outside the repository and are read in place, never copied into it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Environment variable that overrides the shared headers folder. */
export const SHARED_HEADERS_ENV = "BPF_UAPI_SHARED_HEADERS";

/** One C header listed in the shared headers manifest. */
export interface SharedHeader {
  /** Unique id of the snapshot, such as "libbpf-v1.4.0". */
  id: string;
  /** Absolute path of the header. */
  file: string;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
  /** Kernel release the header ships with, such as "6.1", for release headers. */
  kernel?: string;
  /** Approximate kernel release of a snapshot taken between releases, or "next". */
  kernelAbout?: string;
  /** Date of the snapshot's commit, YYYY-MM-DD. */
  date?: string;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Returns the shared headers folder: $BPF_UAPI_SHARED_HEADERS when set, else
 * ../shared/headers beside the repository root. Returns null when that folder
 * does not exist.
 */
export function sharedHeadersDir(): string | null {
  const fromEnv = process.env[SHARED_HEADERS_ENV];
  const dir = fromEnv !== undefined && fromEnv !== ""
    ? path.resolve(fromEnv)
    : path.resolve(repositoryRoot, "../shared/headers");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return null;
  }
  return dir;
}

/** Returns why tests that need the shared headers must skip, or null when they can run. */
export function sharedHeadersSkipReason(): string | null {
  if (sharedHeadersDir() !== null) {
    return null;
  }
  return `shared test headers not found: set ${SHARED_HEADERS_ENV} or create ../shared/headers beside the repository`;
}

function optionalString(entry: Record<string, unknown>, key: string): string | undefined {
  const value = entry[key];
  return typeof value === "string" ? value : undefined;
}

function requiredString(entry: Record<string, unknown>, key: string, manifest: string): string {
  const value = entry[key];
  if (typeof value !== "string" || value === "") {
    throw new Error(`${manifest}: entry ${JSON.stringify(entry)} has no string field "${key}"`);
  }
  return value;
}

/**
 * Reads manifest.json of the shared headers folder and returns its C headers
 * (entries whose file ends in ".h") in manifest order. Returns an empty list
 * when the folder is absent. Throws when the manifest is missing or malformed.
 */
export function listSharedHeaders(): SharedHeader[] {
  const dir = sharedHeadersDir();
  if (dir === null) {
    return [];
  }
  const manifest = path.join(dir, "manifest.json");
  const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
  if (!Array.isArray(parsed)) {
    throw new Error(`${manifest}: expected a JSON array of header entries`);
  }

  const headers: SharedHeader[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "object" || item === null) {
      throw new Error(`${manifest}: expected an object, found ${JSON.stringify(item)}`);
    }
    const entry = item as Record<string, unknown>;
    const file = requiredString(entry, "file", manifest);
    if (!file.endsWith(".h")) {
      continue;
    }
    const header: SharedHeader = {
      id: requiredString(entry, "id", manifest),
      file: path.resolve(dir, file),
      sha256: requiredString(entry, "sha256", manifest),
    };
    const kernel = optionalString(entry, "kernel");
    const kernelAbout = optionalString(entry, "kernelAbout");
    const date = optionalString(entry, "date");
    if (kernel !== undefined) header.kernel = kernel;
    if (kernelAbout !== undefined) header.kernelAbout = kernelAbout;
    if (date !== undefined) header.date = date;
    headers.push(header);
  }
  return headers;
}

/** Shared header ids without enum bpf_link_type, which first appears in libbpf v0.0.9 (about Linux 5.8). */
export const WITHOUT_LINK_TYPE: ReadonlySet<string> = new Set([
  "libbpf-v0.0.3",
  "libbpf-v0.0.4",
  "libbpf-v0.0.5",
  "libbpf-v0.0.6",
  "libbpf-v0.0.7",
  "libbpf-v0.0.8",
]);

/** Prints why a suite is skipped, when it is, and returns whether it is. */
export function warnSkip(suite: string, reason: string | null): boolean {
  if (reason !== null) console.warn(`skipping ${suite}: ${reason}`);
  return reason !== null;
}
