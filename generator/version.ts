/**
 * Kernel version labels, and the version of the system's UAPI headers read
 * from linux/version.h through tree-sitter and the constant evaluator.
 */
import type { SyntaxNode } from "tree-sitter";
import { GeneratorError, GeneratorErrors, UsageError } from "./errors.js";
import { evaluate } from "./evaluate.js";
import { cParser } from "./extract.js";
import { readHeader, sourceLine } from "./source.js";

/** Checks a kernel version label: `MAJOR.MINOR` with up to three digits each, or `next`. */
export function checkKernelLabel(label: string): string {
  if (label === "next") return label;
  const parts = label.split(".");
  const isNumber = (part: string): boolean => part.length >= 1 && part.length <= 3 && [...part].every((char) => char >= "0" && char <= "9");
  const numeric = parts.length === 2 && parts.every(isNumber);
  if (!numeric || parts.some((part) => part.length > 1 && part.startsWith("0"))) {
    throw new UsageError(`invalid kernel version "${label}" - use MAJOR.MINOR such as 6.18, or next`, true);
  }
  return label;
}

/** Orders version labels by number, with `next` last. */
export function compareKernels(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "next") return 1;
  if (b === "next") return -1;
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** The directory name of a version under the output directory: `v6.18`, or `next`. */
export function versionDirectory(kernel: string): string {
  return kernel === "next" ? "next" : `v${kernel}`;
}

/**
 * Reads `MAJOR.MINOR` from a linux/version.h: LINUX_VERSION_MAJOR and
 * LINUX_VERSION_PATCHLEVEL where defined (Linux 5.16+), else the
 * LINUX_VERSION_CODE number, which is (major << 16) + (minor << 8) + patch.
 */
export async function readKernelVersion(path: string): Promise<string> {
  const header = await readHeader(path);
  const tree = cParser().parse(header.text);
  const values = new Map<string, bigint>();
  const definitions = new Map<string, SyntaxNode>();
  for (const node of tree.rootNode.descendantsOfType("preproc_def")) {
    const name = node.childForFieldName("name")?.text;
    const value = node.childForFieldName("value");
    if (name !== undefined && value !== null) definitions.set(name, node);
  }
  for (const name of ["LINUX_VERSION_MAJOR", "LINUX_VERSION_PATCHLEVEL", "LINUX_VERSION_CODE"]) {
    const node = definitions.get(name);
    if (node === undefined) continue;
    const value = defineValue(node);
    if (value !== null) values.set(name, value);
  }
  const major = values.get("LINUX_VERSION_MAJOR");
  const minor = values.get("LINUX_VERSION_PATCHLEVEL");
  if (major !== undefined && minor !== undefined) return `${major}.${minor}`;
  const code = values.get("LINUX_VERSION_CODE");
  if (code !== undefined) return `${code >> 16n}.${(code >> 8n) & 0xffn}`;
  throw new GeneratorErrors([
    new GeneratorError(path, 1, 1, "no LINUX_VERSION_CODE or LINUX_VERSION_MAJOR found - pass --kernel X.Y", sourceLine(header, 1)),
  ]);
}

/** Evaluates the body of `#define NAME VALUE` when it is a plain integer expression. */
function defineValue(node: SyntaxNode): bigint | null {
  const text = node.childForFieldName("value")?.text ?? "";
  const tree = cParser().parse(`enum __bpf_uapi_version { __bpf_uapi_value = ${text} };`);
  const value = tree.rootNode.descendantsOfType("enumerator")[0]?.childForFieldName("value");
  if (tree.rootNode.hasError || value === null || value === undefined) return null;
  try {
    return evaluate(value, { lookup: () => undefined, preprocessor: true }).value;
  } catch {
    return null;
  }
}
