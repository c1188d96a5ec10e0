/**
 * Drift checks. `compareTrees` compares a regenerated tree with the files on
 * disk; `checkBtf` compares a version's tables with a kernel's BTF. Neither
 * writes a file.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readBtf } from "./btf.js";
import { compareWithBtf, type BtfFinding } from "./btf-compare.js";
import { unifiedDiff } from "./diff.js";
import { UsageError } from "./errors.js";
import { modelFromJson } from "./model-json.js";
import { versionDirectory } from "./version.js";
import type { FileTree } from "./write.js";

export interface DriftReport {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  /** A short unified diff of each changed file. */
  readonly diffs: readonly string[];
}

/** Maximum diff lines shown per file, so one bad edit does not flood a CI log. */
const DIFF_LINES = 40;

/** Compares the files on disk with the files generation would write. */
export function compareTrees(onDisk: FileTree, expected: FileTree, outName: string): DriftReport {
  const changed = [...expected.keys()].filter((path) => onDisk.has(path) && onDisk.get(path) !== expected.get(path));
  const missing = [...expected.keys()].filter((path) => !onDisk.has(path));
  const extra = [...onDisk.keys()].filter((path) => !expected.has(path));
  const diffs = changed.map((path) => {
    const diff = unifiedDiff(onDisk.get(path) ?? "", expected.get(path) ?? "", `${outName}/${path}`, `${outName}/${path} (regenerated)`);
    const lines = diff.split("\n");
    if (lines.length <= DIFF_LINES) return diff;
    return [...lines.slice(0, DIFF_LINES), `... ${lines.length - DIFF_LINES} more diff lines`].join("\n");
  });
  return { changed, missing, extra, diffs };
}

export function hasDrift(report: DriftReport): boolean {
  return report.changed.length + report.missing.length + report.extra.length > 0;
}

/** Formats a drift report: a line per file, then the diffs, then the command that fixes it. */
export function formatDrift(report: DriftReport, fixCommand: string): string {
  const count = report.changed.length + report.missing.length + report.extra.length;
  const lines = [
    ...report.changed.map((path) => `changed: ${path}`),
    ...report.missing.map((path) => `missing: ${path}`),
    ...report.extra.map((path) => `not generated: ${path}`),
    ...report.diffs,
    `${count} ${count === 1 ? "file differs" : "files differ"} from what generation writes - run: ${fixCommand}`,
  ];
  return lines.join("\n");
}

/** Reads a kernel's raw BTF and compares it with a generated version's model. */
export async function checkBtf(btfPath: string, outDir: string, kernel: string): Promise<BtfFinding[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(btfPath);
  } catch (error) {
    throw new UsageError(`cannot read BTF ${btfPath} (${error instanceof Error ? error.message : String(error)}) - pass a raw BTF file such as /sys/kernel/btf/vmlinux`);
  }
  const modelPath = join(outDir, versionDirectory(kernel), "uapi.json");
  let text: string;
  try {
    text = await readFile(modelPath, "utf8");
  } catch {
    throw new UsageError(`no generated model for kernel ${kernel} at ${modelPath} - pass --kernel with a generated version`);
  }
  return compareWithBtf(modelFromJson(text, modelPath), readBtf(bytes, btfPath));
}
