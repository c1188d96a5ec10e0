/**
 * The generate, check and headers commands: argument parsing and the one
 * summary line each prints. The work is done by the stage modules.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkBtf, compareTrees, formatDrift, hasDrift } from "./check.js";
import { UsageError } from "./errors.js";
import type { ExtractOptions } from "./extract.js";
import { mergeIntoExisting, modelVersion } from "./generate.js";
import { fillCache, openSource } from "./headers.js";
import { notCachedMessage, planInputs, SYSTEM_HEADER, SYSTEM_VERSION_HEADER, type InputPlan } from "./inputs.js";
import type { UapiModel } from "./model.js";
import { findPin, HEADERS_DIR, readPins } from "./pins.js";
import { isCIdentifier, Renderer } from "./render.js";
import { checkKernelLabel, compareKernels, versionDirectory } from "./version.js";
import { prepareOutput, readTree, resolveOutput, withOutputLock, writeTree } from "./write.js";

export const USAGE: Readonly<Record<string, string>> = {
  generate: `usage: npm run generate -- [--header FILE --kernel X.Y | --kernel X.Y] [--out DIR] [-D NAME[=VALUE]]...

Reads the enums bpf_cmd, bpf_map_type, bpf_prog_type, bpf_attach_type and
bpf_link_type from bpf.h and writes TypeScript enums, delegate option tables
and uapi.json per kernel version, plus the registry and history of all
versions in DIR.

With no options it regenerates every version in headers/kernels.json whose
header is cached in headers/cache/, or, when the cache is empty, the system
header ${SYSTEM_HEADER} with the version from ${SYSTEM_VERSION_HEADER}.

  --header FILE    read this bpf.h (needs --kernel)
  --kernel X.Y     kernel version of --header, or alone: regenerate that
                   pinned version from its cached header; X.Y or next
  --out DIR        output directory (default generated)
  -D NAME[=VALUE]  define a macro before the header, as for a C compiler
  --full-parse     parse the whole header, not only the enums and directives
  --import-from M  import the runtime's types from package M (such as
                   bpf-uapi) instead of this repository's src/, for tables
                   generated to use with the installed package
  --verbose        print each file written or removed

example: npm run generate -- --header /usr/include/linux/bpf.h --kernel 6.1`,
  check: `usage: npm run check -- [--out DIR] [--require-all] | --btf FILE [--kernel X.Y]

Regenerates every cached version in memory and compares it with DIR (default
generated) without writing: exit 0 when identical, 1 with a diff otherwise.

  --require-all    fail when a version in headers/kernels.json is not cached
  --btf FILE       compare the delegate enums of a kernel's raw BTF (such as
                   /sys/kernel/btf/vmlinux) with the tables of --kernel
  --kernel X.Y     the generated version to compare with --btf (default: the
                   running kernel's X.Y)

example: npm run check -- --btf /sys/kernel/btf/vmlinux`,
  headers: `usage: npm run headers -- --from SOURCE [VERSION...]

Fills headers/cache/ with the pinned header of each VERSION (default: all in
headers/kernels.json), checking its sha256. SOURCE is one of:
  DIR          a folder with a manifest.json listing files and their sha256
  LINUX_TREE   a Linux git tree: git show vX.Y:include/uapi/linux/bpf.h
  FILE         one header, cached for the version whose sha256 it matches
  web          the url of each version in headers/kernels.json
  kernel.org   the kernel's git web, at tag vX.Y (or another cgit base URL)
  debian       the Debian package of each version (apt-get download)

example: npm run headers -- --from ../shared/headers`,
};

/** Resolves a user path against the directory npm was started in. */
function userPath(path: string): string {
  return resolve(process.env["INIT_CWD"] ?? process.cwd(), path);
}

function parseDefines(values: readonly string[]): Map<string, string> {
  const defines = new Map<string, string>();
  for (const value of values) {
    const equals = value.indexOf("=");
    const name = equals === -1 ? value : value.slice(0, equals);
    if (!isCIdentifier(name)) {
      throw new UsageError(`invalid -D "${value}" - use -D NAME or -D NAME=VALUE with NAME a C identifier`, true);
    }
    defines.set(name, equals === -1 ? "1" : value.slice(equals + 1));
  }
  return defines;
}

const COMMON_OPTIONS = {
  out: { type: "string", default: "generated" },
  "headers-dir": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Returns whether a string is an npm package name, optionally scoped, that an import can name. */
function isModuleName(name: string): boolean {
  const parts = name.startsWith("@") ? name.slice(1).split("/") : [name];
  if (parts.length > 2 || name.length > 214) return false;
  return parts.every((part) => part !== "" && [...part].every((char) => /^[a-z0-9._-]$/.test(char)));
}

/** Returns the headers directory: `--headers-dir` for tests and other checkouts, else the repository's. */
function headersDirOf(values: { readonly "headers-dir"?: string | undefined }): string {
  const override = values["headers-dir"];
  return override === undefined ? HEADERS_DIR : userPath(override);
}

/** Reads every planned header and builds its model; raises GeneratorErrors for a bad header. */
async function modelAll(plan: InputPlan, options: ExtractOptions = {}): Promise<UapiModel[]> {
  const models: UapiModel[] = [];
  for (const input of plan.inputs) models.push(await modelVersion(input, options));
  return models;
}

/** Plans the inputs of a generate run: the `--header` given, or the cached pinned headers. */
async function generatePlan(header: string | undefined, kernel: string | undefined, headersDir: string): Promise<InputPlan> {
  if (kernel !== undefined) checkKernelLabel(kernel);
  if (header === undefined) return planInputs(headersDir, kernel);
  if (kernel === undefined) {
    throw new UsageError("--header needs --kernel X.Y - name the kernel version the header comes from", true);
  }
  const headerPath = userPath(header);
  return { inputs: [{ kernel, headerPath }], notCached: [], origin: headerPath };
}

export async function generateCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...COMMON_OPTIONS,
      header: { type: "string" },
      kernel: { type: "string" },
      define: { type: "string", short: "D", multiple: true, default: [] },
      "full-parse": { type: "boolean", default: false },
      "import-from": { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) return printUsage("generate");
  const importFrom = values["import-from"] ?? null;
  if (importFrom !== null && !isModuleName(importFrom)) {
    throw new UsageError(`invalid --import-from "${importFrom}" - name a package such as bpf-uapi`, true);
  }
  const started = performance.now();

  const plan = await generatePlan(values.header, values.kernel, headersDirOf(values));
  const uncached = plan.notCached[0];
  if (plan.inputs.length === 0 && uncached !== undefined) throw new UsageError(notCachedMessage(uncached));
  const models = await modelAll(plan, { fullParse: values["full-parse"], defines: parseDefines(values.define) });

  const outDir = await resolveOutput(userPath(values.out));
  const summary = await withOutputLock(outDir, async () => {
    await prepareOutput(outDir);
    return writeTree(outDir, await mergeIntoExisting(outDir, models, new Renderer(importFrom)));
  });
  if (values.verbose) {
    for (const path of summary.written) console.log(`wrote ${path}`);
    for (const path of summary.removed) console.log(`removed ${path}`);
  }

  const milliseconds = Math.round(performance.now() - started);
  const kernels = models.map((model) => model.kernel);
  const into = models.length === 1 ? `${values.out}/${versionDirectory(kernels[0] ?? "")}` : values.out;
  const files = `${summary.written.length} files written, ${summary.removed.length} removed`;
  const enums = models[0]?.enums.length ?? 0;
  const plural = kernels.length === 1 ? "" : "s";
  console.log(`generated ${enums} enums for kernel${plural} ${kernels.join(", ")} from ${plan.origin} into ${into} in ${milliseconds} ms (${files})`);
  return 0;
}

function printUsage(command: string): number {
  console.log(USAGE[command]);
  return 0;
}

export async function checkCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...COMMON_OPTIONS,
      btf: { type: "string" },
      kernel: { type: "string" },
      "require-all": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) return printUsage("check");
  const outDir = userPath(values.out);
  if (values.btf !== undefined) return checkBtfCommand(userPath(values.btf), outDir, values.kernel);
  const started = performance.now();

  const plan = await planInputs(headersDirOf(values), values.kernel);
  for (const pin of plan.notCached) console.error(`not checked: ${notCachedMessage(pin)}`);
  if (values["require-all"] && plan.notCached.length > 0) return 1;
  const models = await modelAll(plan);

  const onDisk = await readTree(outDir);
  const checked = new Set([...models.map((model) => model.kernel), ...plan.notCached.map((pin) => pin.kernel)]);
  for (const kernel of generatedKernels(onDisk)) {
    if (!checked.has(kernel)) console.error(`not checked: ${kernel}: no pinned header in headers/kernels.json, so its files are kept as they are`);
  }
  if (values["require-all"] && generatedKernels(onDisk).some((kernel) => !checked.has(kernel))) return 1;

  const expected = await mergeIntoExisting(outDir, models, new Renderer());
  const report = compareTrees(onDisk, expected, values.out);
  if (hasDrift(report)) {
    console.log(formatDrift(report, "npm run generate"));
    return 1;
  }

  const milliseconds = Math.round(performance.now() - started);
  const kernels = models.map((model) => model.kernel).join(", ");
  const regenerated = [...expected.keys()].filter((path) => regeneratedPath(path, models)).length;
  console.log(
    `no drift: ${values.out} matches the headers of kernels ${kernels} (${regenerated} of ${expected.size} files regenerated) in ${milliseconds} ms`,
  );
  return 0;
}

/** The kernel labels of the version directories in a generated tree, read from their uapi.json. */
function generatedKernels(tree: ReadonlyMap<string, string>): string[] {
  const kernels: string[] = [];
  for (const [path, content] of tree) {
    if (!path.endsWith("/uapi.json") || path.split("/").length !== 2) continue;
    const kernel = (JSON.parse(content) as { kernel?: unknown }).kernel;
    if (typeof kernel === "string") kernels.push(kernel);
  }
  return kernels.sort(compareKernels);
}

/** Whether a file of the tree is rendered from `models`: their version files, the registry and the history. */
function regeneratedPath(path: string, models: readonly UapiModel[]): boolean {
  const directory = path.split("/")[0] ?? "";
  return !path.includes("/") || models.some((model) => versionDirectory(model.kernel) === directory);
}

async function checkBtfCommand(btfPath: string, outDir: string, kernel: string | undefined): Promise<number> {
  const { release } = await import("node:os");
  const label = checkKernelLabel(kernel ?? release().split(".").slice(0, 2).join("."));
  const findings = await checkBtf(btfPath, outDir, label);
  for (const finding of findings) console.log(finding.message);
  if (findings.length > 0) {
    const differences = findings.length === 1 ? "1 difference" : `${findings.length} differences`;
    console.log(`${differences} between ${btfPath} and the ${label} tables - regenerate ${label} from this kernel's header`);
    return 1;
  }
  console.log(`no drift: the delegate enums in ${btfPath} match the ${label} tables`);
  return 0;
}

export async function headersCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { from: { type: "string" }, "headers-dir": { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return printUsage("headers");
  if (values.from === undefined) {
    throw new UsageError("--from SOURCE is required - name a header folder, a Linux git tree, a file, web, kernel.org or debian", true);
  }
  const headersDir = headersDirOf(values);
  const pins = readPins(join(headersDir, "kernels.json"));
  const hint = "name a shipped version, or pin the new one in headers/kernels.json with its sha256 first";
  const wanted = positionals.length === 0 ? pins : positionals.map((label) => findPin(pins, checkKernelLabel(label), hint));
  const keyword = ["web", "kernel.org", "debian"].includes(values.from) || values.from.includes("://");
  const source = await openSource(keyword ? values.from : userPath(values.from));
  const results = await fillCache(source, wanted, headersDir);
  for (const result of results) (result.status === "mismatch" ? console.error : console.log)(result.message);
  // A named version must be taken; without names, the source must provide at least one.
  const failed = results.filter((result) => result.status === "mismatch" || (positionals.length > 0 && result.status === "missing"));
  const taken = results.filter((result) => result.status === "cached" || result.status === "unchanged");
  if (taken.length === 0 && failed.length === 0) console.error(`no pinned header found in ${values.from}`);
  return failed.length > 0 || taken.length === 0 ? 1 : 0;
}
