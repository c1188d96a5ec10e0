/**
 * The published package: its exports map, zero runtime dependencies, the
 * runtime import graph, publint and arethetypeswrong, and an offline install
 * of the `npm pack` tarball that a TypeScript consumer type-checks and runs.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_KERNEL, KERNEL_TABLES, KERNELS } from "../generated/index.js";
import * as root from "../src/index.js";
import { runCli } from "./support/run.js";


const SYSTEM_HEADER = "/usr/include/linux/bpf.h";
const execFileAsync = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL("../", import.meta.url));
const bin = (name: string): string => path.join(repositoryRoot, "node_modules", ".bin", name);
const PACK_TIMEOUT = 240_000;

interface Manifest {
  readonly version: string;
  readonly exports: Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly sideEffects: boolean;
  readonly files: string[];
}

const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as Manifest;

/** Returns the subpath directory of a kernel label: `v6.18`, or `next`. */
function versionDirectory(kernel: string): string {
  return /^\d/.test(kernel) ? `v${kernel}` : kernel;
}

describe("package.json", () => {
  it("exports exactly the shipped versions", () => {
    const expected = [".", "./history.json", "./package.json"];
    for (const kernel of KERNELS) {
      const dir = versionDirectory(kernel);
      expected.push(`./${dir}`, `./${dir}/constants`, `./${dir}/uapi.json`);
    }

    expect(Object.keys(manifest.exports).sort()).toEqual(expected.sort());
  });

  it("points every export at an existing file", () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const files = typeof target === "string" ? [target] : Object.values(target as Record<string, string>);
      for (const file of files) {
        const source = file.replace(/^\.\/dist\//, "./").replace(/\.d\.ts$|\.js$/, ".ts");
        expect(existsSync(path.join(repositoryRoot, source)), `${subpath} -> ${file}`).toBe(true);
      }
    }
  });

  it("has no runtime dependencies", () => {
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([]);
  });

  it("declares the bin, side effects and files", () => {
    expect(manifest.bin).toEqual({ "bpf-uapi": "./dist/src/cli/main.js" });
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.files).toEqual(["dist", "generated/**/*.json", "README.md", "CHANGELOG.md"]);
  });
});

describe("package root", () => {
  it("re-exports the default kernel's tables", () => {
    const indexSource = readFileSync(path.join(repositoryRoot, "src/index.ts"), "utf8");

    expect(indexSource).toContain(`export * from "../generated/${versionDirectory(DEFAULT_KERNEL)}/index.js";`);
    expect(root.TABLES).toBe(KERNEL_TABLES[DEFAULT_KERNEL]);
  });
});

/** Module specifiers of static imports, re-exports and dynamic imports in TypeScript source. */
function importSpecifiers(source: string): string[] {
  const pattern = /(?:^|\n)\s*(?:import|export)\b[^;"']*?\bfrom\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? "");
}

/** Walks relative imports from `entries` and returns every reached file and every non-relative specifier. */
function walkImports(entries: readonly string[]): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) {
        external.add(specifier);
        continue;
      }
      pending.push(path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts"));
    }
  }
  return { files, external };
}

describe("runtime import graph", () => {
  const entries = [
    "src/index.ts",
    "src/cli/main.ts",
    ...KERNELS.flatMap((kernel) => [`generated/${versionDirectory(kernel)}/index.ts`, `generated/${versionDirectory(kernel)}/constants.ts`]),
  ].map((file) => path.join(repositoryRoot, file));
  const graph = walkImports(entries);

  it("imports only node builtins", () => {
    expect([...graph.external].filter((specifier) => !specifier.startsWith("node:"))).toEqual([]);
  });

  it("never reaches the generator", () => {
    const outside = [...graph.files].map((file) => path.relative(repositoryRoot, file)).filter((file) => !/^(src|generated)\//.test(file));

    expect(outside).toEqual([]);
    expect(graph.files.size).toBeGreaterThan(entries.length);
  });
});

describe("packed tarball", () => {
  let workDir = "";
  let tarball = "";

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-package-test-"));
    const packDir = path.join(workDir, "pack");
    await mkdir(packDir);
    // npm pack runs the prepare script, so the tarball holds a fresh build of dist/.
    await execFileAsync("npm", ["pack", "--pack-destination", packDir, "--silent"], { cwd: repositoryRoot, timeout: PACK_TIMEOUT });
    const [name] = await readdir(packDir);
    tarball = path.join(packDir, name ?? "");
  }, PACK_TIMEOUT);

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("contains only dist, JSON models, docs and licence", async () => {
    const { stdout } = await execFileAsync("tar", ["-tzf", tarball]);
    const entries = stdout.trim().split("\n").map((entry) => entry.replace(/^package\//, ""));

    expect(entries.filter((entry) => !/^(dist\/.*\.(js|d\.ts)|generated\/.*\.json|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/.test(entry))).toEqual([]);
    expect(entries).toContain("dist/src/cli/main.js");
    expect(entries).toContain("generated/history.json");
  });

  it("installs offline and runs a typed consumer", async () => {
    const consumer = path.join(workDir, "consumer");
    await mkdir(consumer);
    await writeFile(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await execFileAsync("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: consumer, timeout: PACK_TIMEOUT });
    await writeConsumer(consumer);

    for (const project of ["tsconfig.json", "tsconfig.erasable.json"]) {
      await execFileAsync(bin("tsc"), ["-p", project], { cwd: consumer }).catch((error: { stdout: string }) => {
        throw new Error(`tsc -p ${project} failed:\n${error.stdout}`);
      });
    }
    const all = await execFileAsync(process.execPath, ["out/all.js"], { cwd: consumer });
    const erasable = await execFileAsync(process.execPath, ["out-erasable/erasable.js"], { cwd: consumer });
    const cli = await execFileAsync(path.join(consumer, "node_modules", ".bin", "bpf-uapi"), ["parse", "delegate_cmds=map_create:prog_load", "--json"]);

    expect(all.stdout).toBe(consumerExpectedOutput());
    expect(erasable.stdout).toBe("BPF_PROG_LOAD 5 BPFDelegateCommands=BPFProgLoad\n");
    expect(JSON.parse(cli.stdout)).toMatchObject({ masks: { cmds: "0x21" }, shown: "delegate_cmds=map_create:prog_load" });

    // Tables generated outside the repository with --import-from import the
    // installed package, so a consumer can parse for a kernel it does not ship.
    if (!existsSync(SYSTEM_HEADER)) {
      console.warn(`skipping the --import-from consumer: ${SYSTEM_HEADER} is absent`);
      return;
    }
    const generate = await runCli(["generate", "--header", SYSTEM_HEADER, "--kernel", "6.12", "--out", "tables", "--import-from", "bpf-uapi"], consumer);
    await writeFile(
      path.join(consumer, "custom.ts"),
      [
        'import { format, parse } from "bpf-uapi";',
        'import { TABLES } from "./tables/v6.12/tables.js";',
        "declare const console: { log(...values: unknown[]): void };",
        'console.log(TABLES.kernel, format(parse("delegate_cmds=map_create:prog_load", { kernel: TABLES }).masks, { kernel: TABLES }));',
        "",
      ].join("\n"),
    );
    await writeFile(
      path.join(consumer, "tsconfig.custom.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, types: [], lib: ["ES2022"], outDir: "out-custom" }, files: ["custom.ts"] }),
    );
    await execFileAsync(bin("tsc"), ["-p", "tsconfig.custom.json"], { cwd: consumer }).catch((error: { stdout: string }) => {
      throw new Error(`tsc -p tsconfig.custom.json failed:\n${error.stdout}`);
    });
    const custom = await execFileAsync(process.execPath, ["out-custom/custom.js"], { cwd: consumer });

    expect(generate.status).toBe(0);
    expect(custom.stdout).toBe("6.12 delegate_cmds=map_create:prog_load\n");
  }, PACK_TIMEOUT);
});

/** Writes a consumer that imports every entry point and one that uses only erasable syntax. */
async function writeConsumer(dir: string): Promise<void> {
  const versionImports = KERNELS.map((kernel, i) => {
    const entry = `bpf-uapi/${versionDirectory(kernel)}`;
    return [
      `import * as tables${i} from "${entry}";`,
      `import * as constants${i} from "${entry}/constants";`,
      `import uapi${i} from "${entry}/uapi.json" with { type: "json" };`,
      `console.log("${kernel}", tables${i}.TABLES.kernel, constants${i}.BpfCmd.BPF_PROG_LOAD, tables${i}.BpfCmd.BPF_PROG_LOAD, typeof uapi${i});`,
    ].join("\n");
  });
  const all = [
    'import { BpfCmd, BpfUapiError, DelegationError, format, lint, parse, toSystemd, type DelegateMasks, type KernelTables } from "bpf-uapi";',
    'import history from "bpf-uapi/history.json" with { type: "json" };',
    'import manifest from "bpf-uapi/package.json" with { type: "json" };',
    "declare const console: { log(...values: unknown[]): void };",
    ...versionImports,
    'const masks: DelegateMasks = parse("delegate_cmds=map_create:prog_load").masks;',
    'console.log("cmds", `0x${masks.cmds.toString(16)}`, format(masks), BpfCmd[BpfCmd.BPF_PROG_LOAD]);',
    'console.log("lints", lint(masks).length, toSystemd(masks).join(" "), Array.isArray(history.kernels), manifest.name);',
    'try { parse("delegate_cmds=nope"); } catch (error) { console.log("rejected", error instanceof DelegationError, error instanceof BpfUapiError); }',
    "export type Tables = KernelTables;",
    "",
  ].join("\n");
  const erasable = [
    'import { BpfCmd } from "bpf-uapi/v6.18/constants";',
    'import { toSystemd } from "bpf-uapi";',
    "declare const console: { log(...values: unknown[]): void };",
    "const command: BpfCmd = BpfCmd.BPF_PROG_LOAD;",
    'console.log("BPF_PROG_LOAD", command, toSystemd({ cmds: 1n << BigInt(command) }).join(""));',
    "",
  ].join("\n");
  const compilerOptions = { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, types: [], lib: ["ES2022"], resolveJsonModule: true, skipLibCheck: false };
  await writeFile(path.join(dir, "all.ts"), all);
  await writeFile(path.join(dir, "erasable.ts"), erasable);
  await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: "out" }, files: ["all.ts"] }));
  await writeFile(
    path.join(dir, "tsconfig.erasable.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: "out-erasable", erasableSyntaxOnly: true, verbatimModuleSyntax: true }, files: ["erasable.ts"] }),
  );
}

function consumerExpectedOutput(): string {
  const versionLines = KERNELS.map((kernel) => `${kernel} ${kernel} 5 5 object`);
  return [
    ...versionLines,
    "cmds 0x21 delegate_cmds=map_create:prog_load BPF_PROG_LOAD",
    "lints 0 BPFDelegateCommands=BPFMapCreate,BPFProgLoad true bpf-uapi",
    "rejected true true",
    "",
  ].join("\n");
}

describe("package linters", () => {
  it("publint reports nothing", async () => {
    const { stdout } = await execFileAsync(bin("publint"), ["--strict"], { cwd: repositoryRoot, timeout: PACK_TIMEOUT });

    expect(stdout).toContain("All good!");
  }, PACK_TIMEOUT);

  it("arethetypeswrong reports nothing for ESM", async () => {
    // The esm-only profile skips node10 and require() from CommonJS, which an
    // ESM-only package does not support by design.
    const { stdout } = await execFileAsync(bin("attw"), ["--pack", ".", "--profile", "esm-only", "--format", "json"], { cwd: repositoryRoot, timeout: PACK_TIMEOUT });
    const report = JSON.parse(stdout) as { problems: Record<string, { resolutionKind?: string }[]> };
    const counted = Object.values(report.problems).flat().filter((problem) => !["node10", "node16-cjs"].includes(problem.resolutionKind ?? ""));

    expect(counted).toEqual([]);
  }, PACK_TIMEOUT);

  it("npx finds the local bin", async () => {
    const { stdout } = await execFileAsync("npx", ["--no-install", "bpf-uapi", "--version"], { cwd: repositoryRoot, timeout: PACK_TIMEOUT });

    expect(stdout).toBe(`bpf-uapi ${manifest.version}\n`);
  }, PACK_TIMEOUT);
});
