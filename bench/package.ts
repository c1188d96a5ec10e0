/**
 * The published package as a user loads it: cold import time of the entry
 * and of one version subpath, the modules those imports load, and the size
 * of each version's tables minified and gzipped.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { DEFAULT_KERNEL } from "../generated/index.js";
import type { Section, Table, Target } from "./report.js";
import { formatBytes, formatMs, formatMsSummary, progress, summarize, type Summary } from "./stats.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../", import.meta.url));
const IMPORT_RUNS = 10;
const IMPORT_GOAL_MS = 15;
const SIZE_GOAL_BYTES = 6 * 1024;
/** Packages the runtime must never load: tree-sitter, its C grammar and ts-morph. */
const FORBIDDEN_PACKAGES = ["tree-sitter", "tree-sitter-c", "ts-morph", "@ts-morph"];

/** Origin of the measured modules: the compiled dist/, or the TypeScript sources through tsx. */
interface ModuleSource {
  readonly kind: "dist" | "tsx";
  /** Extra Node options for a child that imports from this source. */
  readonly nodeOptions: readonly string[];
  readonly entry: string;
  readonly versionSubpath: string;
  /** The reason this source was chosen, for the report. */
  readonly description: string;
}

/** Reads the target of an `exports` entry: a path, or the `import` or `default` condition. */
function exportTarget(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return null;
  const conditions = value as Record<string, unknown>;
  return exportTarget(conditions["import"] ?? conditions["default"]);
}

/** Returns the file package.json exports for `subpath`, or null when it exports none. */
function exportedFile(subpath: string): string | null {
  const manifest: unknown = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8"));
  const exportsField = (manifest as { exports?: unknown }).exports;
  if (typeof exportsField !== "object" || exportsField === null) return null;
  const target = exportTarget((exportsField as Record<string, unknown>)[subpath]);
  return target === null ? null : path.join(REPOSITORY_ROOT, target);
}

/**
 * Picks the modules to measure: dist/ when it exists, else dist/ built with
 * `npx tsc -p tsconfig.build.json` when that file exists, else the
 * TypeScript sources through tsx. The entry and version subpath come from
 * package.json `exports` when it lists `.` and `./v<kernel>`.
 */
function chooseModuleSource(): ModuleSource {
  const versionDirectory = `v${DEFAULT_KERNEL}`;
  const distDir = path.join(REPOSITORY_ROOT, "dist");
  let description = "dist/ as found";
  if (!existsSync(distDir) && existsSync(path.join(REPOSITORY_ROOT, "tsconfig.build.json"))) {
    progress("package: dist/ is absent, building it with npx tsc -p tsconfig.build.json");
    const result = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: REPOSITORY_ROOT, encoding: "utf8" });
    description = "dist/ built by this run with `npx tsc -p tsconfig.build.json`";
    if (result.status !== 0) progress(`package: the build failed, so tsx sources are measured: ${(result.stdout + result.stderr).trim().split("\n")[0] ?? ""}`);
  }
  const distEntry = exportedFile(".") ?? path.join(distDir, "src/index.js");
  const distVersion = exportedFile(`./${versionDirectory}`) ?? path.join(distDir, `generated/${versionDirectory}/index.js`);
  if (existsSync(distEntry) && existsSync(distVersion)) {
    return { kind: "dist", nodeOptions: [], entry: distEntry, versionSubpath: distVersion, description };
  }
  return {
    kind: "tsx",
    nodeOptions: ["--import", "tsx"],
    entry: path.join(REPOSITORY_ROOT, "src/index.ts"),
    versionSubpath: path.join(REPOSITORY_ROOT, `generated/${versionDirectory}/index.ts`),
    description: `no built entry at ${path.relative(REPOSITORY_ROOT, distEntry)}, so the TypeScript sources are imported through tsx, whose transpiling is included in the times`,
  };
}

/** Runs `node [options] -e script` in the repository root with BENCH_IMPORT_PATH set, and returns its stdout. */
function runNode(options: readonly string[], script: string, importPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...options, "-e", script], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, BENCH_IMPORT_PATH: importPath },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0) resolve(Buffer.concat(stdout).toString("utf8"));
      else reject(new Error(`node -e exited with status ${status} importing ${importPath}: ${Buffer.concat(stderr).toString("utf8").trim()}`));
    });
  });
}

/** Child script: the time of the dynamic import alone, from just before `import()` until it settles. */
const IMPORT_TIME_SCRIPT = `
const { pathToFileURL } = require("node:url");
const url = pathToFileURL(process.env.BENCH_IMPORT_PATH).href;
const start = performance.now();
import(url).then(() => process.stdout.write(String(performance.now() - start)));
`;

/**
 * Module resolution hooks for the child that lists loaded modules. Each
 * resolved URL goes to the main thread over a MessagePort. The hooks echo a
 * message from the main thread, and a port delivers messages in order, so
 * once the echo arrives every URL sent before it has arrived too.
 */
const RESOLVE_HOOKS = `
let port;
export function initialize(data) {
  port = data.port;
  port.on("message", () => port.postMessage({ flushed: true }));
  port.unref();
}
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  port.postMessage({ url: result.url });
  return result;
}
`;

/** Child script: imports the module and prints every module URL resolved through ESM plus every file in the CommonJS cache. */
const LOADED_MODULES_SCRIPT = `
const { register } = require("node:module");
const { pathToFileURL } = require("node:url");
const { MessageChannel } = require("node:worker_threads");
const resolved = [];
const { port1, port2 } = new MessageChannel();
let flushed;
const done = new Promise((resolve) => { flushed = resolve; });
port1.on("message", (message) => { if (message.flushed) flushed(); else resolved.push(message.url); });
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(RESOLVE_HOOKS)}), { data: { port: port2 }, transferList: [port2] });
import(pathToFileURL(process.env.BENCH_IMPORT_PATH).href).then(async () => {
  port1.postMessage("flush");
  await done;
  port1.close();
  process.stdout.write(JSON.stringify([...resolved, ...Object.keys(require.cache).map((file) => pathToFileURL(file).href)]));
});
`;

async function coldImport(source: ModuleSource, importPath: string): Promise<Summary> {
  const samples: number[] = [];
  for (let run = 0; run < IMPORT_RUNS; run++) samples.push(Number(await runNode(source.nodeOptions, IMPORT_TIME_SCRIPT, importPath)));
  return summarize(samples);
}

/** The files an import loads: all of them, those under node_modules, and those of a forbidden package. */
interface LoadedFiles {
  readonly files: string[];
  readonly underNodeModules: string[];
  readonly forbidden: string[];
}

async function loadedFiles(source: ModuleSource, importPath: string): Promise<LoadedFiles> {
  const urls = JSON.parse(await runNode(source.nodeOptions, LOADED_MODULES_SCRIPT, importPath)) as string[];
  const files = [...new Set(urls.filter((url) => url.startsWith("file:")))];
  const underNodeModules = files.filter((url) => url.includes("/node_modules/"));
  const forbidden = underNodeModules.filter((url) => FORBIDDEN_PACKAGES.some((name) => url.includes(`/node_modules/${name}/`)));
  return { files, underNodeModules, forbidden };
}

/** Sizes of one file bundled with esbuild: minified, then gzipped at level 9. */
async function bundleSize(entry: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", platform: "neutral", write: false, logLevel: "silent" });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { minified: output.contents.length, gzipped: gzipSync(output.contents, { level: 9 }).length };
}

/** Measures the size of each shipped version's tables and of its whole subpath. */
async function measureSizes(): Promise<{ table: Table; largest: { version: string; gzipped: number; minified: number } }> {
  const generatedDir = path.join(REPOSITORY_ROOT, "generated");
  const versions = readdirSync(generatedDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(generatedDir, entry.name, "tables.ts")))
    .map((entry) => entry.name);
  const rows: string[][] = [];
  let largest = { version: "", gzipped: 0, minified: 0 };
  for (const version of versions) {
    progress(`package: size of ${version}`);
    const tablesFile = path.join(generatedDir, version, "tables.ts");
    const tables = await bundleSize(tablesFile);
    const subpath = await bundleSize(path.join(generatedDir, version, "index.ts"));
    if (tables.gzipped > largest.gzipped) largest = { version, ...tables };
    rows.push([version, formatBytes(readFileSync(tablesFile).length), formatBytes(tables.minified), formatBytes(tables.gzipped), formatBytes(subpath.gzipped)]);
  }
  const columns = ["Version", "tables.ts source", "tables minified", "tables minified + gzip -9", "whole subpath (enums, tables, constants) minified + gzip -9"];
  return { table: { columns, rows }, largest };
}

/** Measures cold imports, loaded packages and table sizes. */
export async function measurePackage(): Promise<Section> {
  const source = chooseModuleSource();
  const relative = (file: string): string => path.relative(REPOSITORY_ROOT, file);
  progress(`package: cold import of ${relative(source.entry)} and ${relative(source.versionSubpath)}, ${IMPORT_RUNS} runs each`);
  const entry = await coldImport(source, source.entry);
  const version = await coldImport(source, source.versionSubpath);
  const entryModules = await loadedFiles(source, source.entry);
  const versionModules = await loadedFiles(source, source.versionSubpath);
  const sizes = await measureSizes();
  const forbidden = [...new Set([...entryModules.forbidden, ...versionModules.forbidden])];

  const importRows = [
    [`entry (${relative(source.entry)})`, formatMsSummary(entry), String(entryModules.files.length), String(entryModules.underNodeModules.length)],
    [`version subpath (${relative(source.versionSubpath)})`, formatMsSummary(version), String(versionModules.files.length), String(versionModules.underNodeModules.length)],
  ];
  const targets: Target[] = [
    {
      subject: "Runtime never loads tree-sitter or ts-morph",
      goal: "no module of those packages resolved by importing the entry or a version subpath",
      measured: forbidden.length === 0 ? "none loaded" : forbidden.map(relative).join(", "),
      met: forbidden.length === 0,
      limit: `Importing the entry or the version subpath loads ${forbidden.map((url) => url.replace(/^.*\/node_modules\//, "")).join(", ")}.`,
    },
    {
      subject: `Cold import of one version subpath (v${DEFAULT_KERNEL})`,
      goal: `< ${IMPORT_GOAL_MS} ms`,
      measured: `${formatMsSummary(version)}${source.kind === "tsx" ? ", through tsx" : ""}`,
      met: version.median < IMPORT_GOAL_MS,
      limit:
        `The import takes ${formatMs(version.median)} (median, min ${formatMs(version.min)}) and loads ${versionModules.files.length} files` +
        (source.kind === "tsx" ? ", which includes tsx transpiling each module at import, so the built dist/ would be faster." : "."),
    },
    {
      subject: "One version's tables, minified + gzip -9",
      goal: `≤ 6 KiB (${SIZE_GOAL_BYTES.toLocaleString("en-US")} B), largest version`,
      measured: `${formatBytes(sizes.largest.gzipped)}, ${sizes.largest.version}`,
      met: sizes.largest.gzipped <= SIZE_GOAL_BYTES,
      limit: `The tables of ${sizes.largest.version} minify to ${formatBytes(sizes.largest.minified)} and gzip to ${formatBytes(sizes.largest.gzipped)}.`,
    },
  ];
  return {
    title: "Package",
    method:
      `Modules measured: ${source.description}. Each cold import is a fresh \`node -e\` process that times \`await import(file)\` ` +
      `with performance.now(), so process start-up is excluded; ${IMPORT_RUNS} processes per module, median (min–max). A separate ` +
      "child registers a module resolution hook and also reads the CommonJS cache, and lists every module the import loads " +
      "from node_modules. Sizes: esbuild bundles each version's generated tables.ts (its only import is a type) with " +
      "`minify: true`, and node:zlib gzips the result at level 9.",
    tables: [{ columns: ["Cold import", "Import time", "Files loaded", "Files from node_modules"], rows: importRows }, sizes.table],
    notes: [],
    targets,
  };
}
