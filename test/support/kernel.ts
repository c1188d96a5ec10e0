/**
 * The running kernel as a referee for BPF filesystem delegation options
 * (delegate_cmds, delegate_maps, delegate_progs, delegate_attachs; Linux 6.9+).
 * Each call mounts a fresh bpffs on a temp dir, reads back what the kernel
 * prints in /proc/mounts and unmounts it again.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import { mkdtemp, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Result of one mount attempt of the BPF filesystem. */
export type BpffsMountResult =
  | {
      ok: true;
      /** Whole options column of the mount's /proc/mounts line. */
      options: string;
      /** The delegate_* entries of `options`, comma-joined in kernel order, or "". */
      delegate: string;
    }
  | {
      ok: false;
      /** Symbolic errno that mount(2) set, such as "EINVAL" or "ERANGE". */
      errno: string;
      /** strerror() text for that errno. */
      message: string;
    };

const MOUNT_DIR_PREFIX = "bpf-uapi-bpffs-";
const MAX_UNMOUNTS = 16;

// mount(8) from util-linux 2.38 reports EINVAL only as a generic "wrong fs
// type, bad option" message, so mountBpffs calls mount(2) through this
// helper, which prints the errno number and strerror() text on failure.
const MOUNT_HELPER_SOURCE = `#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DIR OPTIONS\\n", argv[0]);
    return 2;
  }
  if (mount("nodev", argv[1], "bpf", 0, argv[2]) == 0)
    return 0;
  int err = errno;
  printf("%d %s\\n", err, strerror(err));
  return 1;
}
`;

/** Temp dirs this module created and has not removed yet. */
const createdDirs = new Set<string>();
let helperBuild: Promise<{ dir: string; program: string }> | null = null;
let cachedSkipReason: string | null | undefined;

function commandMissing(command: string): boolean {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  return result.error !== undefined || result.status !== 0;
}

/** Decodes the octal escapes (\040 for a space) of a /proc/mounts field. */
function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_escape, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Returns the options column of the topmost mount on `dir` in /proc/mounts text, or null. */
function findMountOptions(procMounts: string, dir: string): string | null {
  let options: string | null = null;
  for (const line of procMounts.split("\n")) {
    const fields = line.split(" ");
    if (fields.length >= 4 && decodeMountField(fields[1] ?? "") === dir) {
      options = fields[3] ?? "";
    }
  }
  return options;
}

/**
 * Mounts bpffs with `delegate_cmds=any` on a temp dir through mount(8) and
 * returns why that failed, or null when /proc/mounts shows the option back.
 */
function probeMount(): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), MOUNT_DIR_PREFIX));
  try {
    const mount = spawnSync("mount", ["-t", "bpf", "-o", "delegate_cmds=any", "nodev", dir], { encoding: "utf8" });
    if (mount.status !== 0) {
      return `probe mount of bpffs failed: ${(mount.stderr || String(mount.error)).trim()}`;
    }
    const options = findMountOptions(readFileSync("/proc/mounts", "utf8"), dir) ?? "";
    if (!options.split(",").includes("delegate_cmds=any")) {
      return `kernel ${os.release()} ignores delegate_cmds (needs Linux 6.9+), mount options: ${options}`;
    }
    return null;
  } finally {
    if (spawnSync("umount", [dir], { stdio: "ignore" }).status !== 0) {
      spawnSync("umount", ["--lazy", dir], { stdio: "ignore" });
    }
    rmdirSync(dir);
  }
}

function findSkipReason(): string | null {
  const uid = process.getuid?.();
  if (uid !== 0) {
    return `mounting bpffs needs root, but this process runs as uid ${String(uid)}`;
  }
  const filesystems = readFileSync("/proc/filesystems", "utf8");
  if (!/^nodev\s+bpf$/m.test(filesystems)) {
    return "kernel has no bpf filesystem type in /proc/filesystems (needs CONFIG_BPF_SYSCALL)";
  }
  if (commandMissing("mount") || commandMissing("umount")) {
    return "`mount` or `umount` not found on PATH (install util-linux)";
  }
  if (commandMissing("cc")) {
    return "C compiler `cc` not found on PATH, needed to build the mount(2) helper";
  }
  return probeMount();
}

/**
 * Returns why the kernel referee cannot run here (not root, no bpf
 * filesystem, no mount/umount/cc, or a probe mount with delegate_cmds=any
 * failed or was ignored), or null when it can. Probes once per process.
 */
export function kernelSkipReason(): string | null {
  if (cachedSkipReason === undefined) {
    cachedSkipReason = findSkipReason();
  }
  return cachedSkipReason;
}

async function buildMountHelper(): Promise<{ dir: string; program: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-mount-helper-"));
  const source = path.join(dir, "mount-bpffs.c");
  const program = path.join(dir, "mount-bpffs");
  try {
    await writeFile(source, MOUNT_HELPER_SOURCE);
    await execFileAsync("cc", ["-O1", "-o", program, source], { env: { ...process.env, LC_ALL: "C" } });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`failed to build the mount(2) helper with cc:\n${stderr.trim()}`);
  }
  return { dir, program };
}

function mountHelper(): Promise<{ dir: string; program: string }> {
  if (helperBuild === null) {
    helperBuild = buildMountHelper();
    helperBuild.catch(() => {
      helperBuild = null;
    });
  }
  return helperBuild;
}

/** Returns the symbolic name of an errno number, from Node's table for this platform. */
function errnoName(errnoNumber: number): string {
  for (const [name, value] of Object.entries(os.constants.errno)) {
    if (value === errnoNumber) {
      return name;
    }
  }
  return `errno ${errnoNumber}`;
}

/** Calls mount(2) through the helper and returns null on success or the errno on failure. */
async function callMount(dir: string, options: string): Promise<{ errno: string; message: string } | null> {
  const { program } = await mountHelper();
  try {
    await execFileAsync(program, [dir, options]);
    return null;
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    const match = /^(\d+) (.*)$/m.exec(failure.stdout ?? "");
    if (failure.code !== 1 || match === null) {
      throw new Error(`mount(2) helper failed on ${dir}: ${(failure.stderr ?? String(error)).trim()}`);
    }
    return { errno: errnoName(Number(match[1])), message: match[2] ?? "" };
  }
}

async function isMounted(dir: string): Promise<boolean> {
  return findMountOptions(await readFile("/proc/mounts", "utf8"), dir) !== null;
}

/**
 * Unmounts every mount on `dir` and removes the dir. Falls back to a lazy
 * unmount when the plain one fails, so a busy mount still goes away.
 */
async function releaseDir(dir: string): Promise<void> {
  // Mounts can stack on one dir, and each umount removes only the topmost.
  for (let attempt = 0; await isMounted(dir); attempt++) {
    if (attempt === MAX_UNMOUNTS) {
      throw new Error(`${dir} is still mounted after ${MAX_UNMOUNTS} unmounts`);
    }
    try {
      await execFileAsync("umount", [dir]);
    } catch {
      await execFileAsync("umount", ["--lazy", dir]);
    }
  }
  try {
    await rmdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw error;
    }
  }
  createdDirs.delete(dir);
}

/**
 * Mounts the BPF filesystem with `options` as the mount(2) data string on a
 * fresh temp dir, the way `mount -t bpf -o OPTIONS nodev DIR` passes
 * filesystem options. The kernel splits the string at commas, so in
 * "delegate_cmds=map_create,prog_load" prog_load is a separate option, which
 * bpffs ignores. Returns the /proc/mounts options column on success and the
 * errno of mount(2) on failure. Unmounts and removes the dir before
 * returning, also when reading the result throws.
 */
export async function mountBpffs(options: string): Promise<BpffsMountResult> {
  // NOTE: unlike mount(8), this passes VFS flags such as nosuid to the
  // filesystem as text, and bpffs ignores options it does not know.
  const dir = await mkdtemp(path.join(os.tmpdir(), MOUNT_DIR_PREFIX));
  createdDirs.add(dir);
  try {
    const failure = await callMount(dir, options);
    if (failure !== null) {
      return { ok: false, ...failure };
    }

    const mountOptions = findMountOptions(await readFile("/proc/mounts", "utf8"), dir);
    if (mountOptions === null) {
      throw new Error(`mount(2) succeeded, but /proc/mounts has no entry for ${dir}`);
    }
    const delegate = mountOptions.split(",").filter((option) => option.startsWith("delegate_"));
    return { ok: true, options: mountOptions, delegate: delegate.join(",") };
  } finally {
    await releaseDir(dir);
  }
}

/**
 * Unmounts and removes every temp dir this module created that is still
 * present, then deletes the mount(2) helper. Meant for afterAll. Returns the
 * dirs it had to clean up, which should be none.
 */
export async function sweepBpffsMounts(): Promise<string[]> {
  const leftovers = [...createdDirs];
  for (const dir of leftovers) {
    await releaseDir(dir);
  }

  const build = helperBuild;
  helperBuild = null;
  if (build !== null) {
    const { dir } = await build.catch(() => ({ dir: null }));
    if (dir !== null) {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return leftovers;
}
