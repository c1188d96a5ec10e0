/**
 * Snapshots of a directory tree for tests that must prove a run changed
 * nothing, or changed exactly some files.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/** Reads every file under `dir` as latin1, so that equal strings mean equal bytes. */
export async function readBytes(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const relative of (await readdir(dir, { recursive: true })).sort()) {
    const file = path.join(dir, relative);
    if ((await stat(file)).isFile()) files.set(relative.split(path.sep).join("/"), await readFile(file, "latin1"));
  }
  return files;
}

/** Returns the inode and modification time of a directory and of every entry under it. */
export async function fileIdentities(dir: string): Promise<Map<string, string>> {
  const identities = new Map<string, string>();
  for (const relative of ["", ...(await readdir(dir, { recursive: true }))].sort()) {
    const info = await stat(path.join(dir, relative));
    identities.set(relative, `${info.ino}@${info.mtimeMs}`);
  }
  return identities;
}
