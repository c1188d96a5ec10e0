/**
 * Filling the header cache (`npm run headers -- --from SOURCE`): each pinned
 * header is taken from a source, checked against its sha256, and written
 * under headers/cache/ only.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { UsageError } from "./errors.js";
import { cacheDir, cachedHeaderPath, type KernelPin } from "./pins.js";
import { sha256Hex } from "./source.js";

const run = promisify(execFile);

/** The official git web of the stable kernel tree, for `--from kernel.org`. */
export const KERNEL_GIT_WEB = "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git";

/** One attempt to fetch a pinned header: its bytes and where they came from, or why not. */
type Fetched = { readonly bytes: Uint8Array; readonly from: string } | { readonly missing: string };

/** A place headers can come from. */
interface HeaderSource {
  readonly description: string;
  fetch(pin: KernelPin): Promise<Fetched>;
}

export interface CacheResult {
  readonly kernel: string;
  readonly status: "cached" | "unchanged" | "missing" | "mismatch";
  readonly message: string;
}

/** Opens a folder whose manifest.json lists header files with their sha256. */
async function manifestSource(dir: string): Promise<HeaderSource> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Array<{ file?: string; sha256?: string }>;
  return {
    description: `the manifest in ${dir}`,
    async fetch(pin) {
      const entry = manifest.find((candidate) => candidate.sha256 === pin.sha256 && typeof candidate.file === "string");
      if (entry?.file === undefined) return { missing: `no file with sha256 ${pin.sha256} in ${join(dir, "manifest.json")}` };
      const path = resolve(dir, entry.file);
      if (!path.startsWith(resolve(dir) + sep)) return { missing: `manifest entry ${entry.file} points outside ${dir}` };
      return { bytes: await readFile(path), from: path };
    },
  };
}

/** Opens a Linux git tree, read with `git show TAG:include/uapi/linux/bpf.h` where TAG is `v<kernel>` unless the pin names one. */
function gitSource(dir: string): HeaderSource {
  return {
    description: `the git tree ${dir}`,
    async fetch(pin) {
      if (pin.kernel === "next" && pin.gitTag === undefined) return { missing: "next has no release tag" };
      const tag = pin.gitTag ?? `v${pin.kernel}`;
      try {
        const { stdout } = await run("git", ["-C", dir, "show", `${tag}:include/uapi/linux/bpf.h`], {
          encoding: "buffer",
          maxBuffer: 64 * 1024 * 1024,
        });
        return { bytes: stdout, from: `${dir} at ${tag}` };
      } catch {
        return { missing: `git show ${tag}:include/uapi/linux/bpf.h failed in ${dir}` };
      }
    },
  };
}

/** Opens one file, taken for every pin whose sha256 it matches. */
async function fileSource(path: string): Promise<HeaderSource> {
  const bytes = await readFile(path);
  const digest = sha256Hex(bytes);
  return {
    description: path,
    async fetch(pin) {
      if (digest !== pin.sha256) return { missing: `${path} has sha256 ${digest}, not the pinned ${pin.sha256}` };
      return { bytes, from: path };
    },
  };
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Opens each pin's own `url`, or a cgit-style git web's raw file for the pin's release tag. */
function webSource(gitWeb: string | null): HeaderSource {
  return {
    description: gitWeb ?? "the URLs in headers/kernels.json",
    async fetch(pin) {
      let url = pin.url;
      if (gitWeb !== null) {
        if (pin.kernel === "next" && pin.gitTag === undefined) return { missing: "next has no release tag" };
        url = `${gitWeb}/plain/include/uapi/linux/bpf.h?h=${encodeURIComponent(pin.gitTag ?? `v${pin.kernel}`)}`;
      }
      if (url === undefined) return { missing: `no url for ${pin.kernel} in headers/kernels.json` };
      try {
        return { bytes: await download(url), from: url };
      } catch (error) {
        return { missing: `download failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}

/** Opens the Debian package a pin names, fetched with apt-get download and unpacked with dpkg-deb. */
function debianSource(): HeaderSource {
  return {
    description: "Debian packages (apt-get download)",
    async fetch(pin) {
      const debian = pin.debian;
      if (debian === undefined) return { missing: `no Debian package for ${pin.kernel} in headers/kernels.json` };
      const work = await mkdtemp(join(tmpdir(), "bpf-uapi-deb-"));
      try {
        await run("apt-get", ["download", `${debian.package}=${debian.version}`], { cwd: work });
        const deb = (await readdir(work)).find((name) => name.endsWith(".deb"));
        if (deb === undefined) return { missing: `apt-get download left no .deb for ${debian.package}` };
        await run("dpkg-deb", ["-x", deb, "unpacked"], { cwd: work });
        const path = join(work, "unpacked", debian.path);
        return { bytes: await readFile(path), from: `${debian.package} ${debian.version}:/${debian.path}` };
      } catch (error) {
        return { missing: `apt-get download ${debian.package}=${debian.version} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** Turns a `--from` argument into a source. */
export async function openSource(from: string): Promise<HeaderSource> {
  if (from === "web") return webSource(null);
  if (from === "kernel.org") return webSource(KERNEL_GIT_WEB);
  if (from === "debian") return debianSource();
  if (from.startsWith("http://") || from.startsWith("https://")) return webSource(from.replace(/\/+$/, ""));
  if (!existsSync(from)) {
    throw new UsageError(`source ${from} does not exist - pass a folder with manifest.json, a Linux git tree, a file, web, kernel.org or debian`);
  }
  if (statSync(from).isFile()) return fileSource(from);
  if (existsSync(join(from, "manifest.json"))) return manifestSource(from);
  if (existsSync(join(from, "include", "uapi", "linux", "bpf.h"))) return gitSource(from);
  throw new UsageError(`${from} has neither a manifest.json nor include/uapi/linux/bpf.h - pass a header folder or a Linux git tree`);
}

/** Writes a verified header into the cache, atomically and only inside headers/cache/. */
async function store(pin: KernelPin, bytes: Uint8Array, headersDir: string): Promise<boolean> {
  const target = cachedHeaderPath(pin, headersDir);
  const relativePath = relative(cacheDir(headersDir), target);
  if (relativePath.startsWith("..") || relativePath.split(sep).length !== 2) {
    throw new UsageError(`refusing to write ${target}: it is outside ${cacheDir(headersDir)}`);
  }
  if (existsSync(target) && sha256Hex(await readFile(target)) === pin.sha256) return false;
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await writeFile(temporary, bytes, { flush: true });
  await rename(temporary, target);
  return true;
}

/** Fills the cache for `pins` from `source`; one result per pin. */
export async function fillCache(source: HeaderSource, pins: readonly KernelPin[], headersDir: string): Promise<CacheResult[]> {
  const results: CacheResult[] = [];
  for (const pin of pins) {
    const fetched = await source.fetch(pin);
    if ("missing" in fetched) {
      results.push({ kernel: pin.kernel, status: "missing", message: `${pin.kernel}: not taken - ${fetched.missing}` });
      continue;
    }
    const digest = sha256Hex(fetched.bytes);
    if (digest !== pin.sha256) {
      results.push({
        kernel: pin.kernel,
        status: "mismatch",
        message: `${pin.kernel}: sha256 mismatch for ${fetched.from}: got ${digest}, headers/kernels.json pins ${pin.sha256} (${pin.origin}) - nothing was written`,
      });
      continue;
    }
    const written = await store(pin, fetched.bytes, headersDir);
    const path = relative(headersDir, cachedHeaderPath(pin, headersDir));
    results.push({
      kernel: pin.kernel,
      status: written ? "cached" : "unchanged",
      message: `${pin.kernel}: ${written ? "cached" : "already cached"} headers/${path} from ${fetched.from}`,
    });
  }
  return results;
}
