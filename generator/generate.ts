/**
 * Generation for one or more kernel versions: header to model, model to
 * files, files to one output tree.
 */
import { basename } from "node:path";
import { buildModel } from "./classify.js";
import { extractEnums, type ExtractOptions } from "./extract.js";
import type { UapiModel } from "./model.js";
import { Renderer } from "./render.js";
import { readHeader } from "./source.js";
import { compareKernels, versionDirectory } from "./version.js";
import { readTree, type FileTree } from "./write.js";

export interface VersionInput {
  readonly kernel: string;
  readonly headerPath: string;
}

/** Reads one header and builds its model. Raises GeneratorErrors for a bad header. */
export async function modelVersion(input: VersionInput, options: ExtractOptions = {}): Promise<UapiModel> {
  const header = await readHeader(input.headerPath);
  const enums = extractEnums(header, options);
  return buildModel(input.kernel, { path: input.headerPath, sha256: header.sha256, lineCount: header.lineStarts.length }, enums);
}

/** What the registry needs to know of a version. */
interface VersionEntry {
  readonly kernel: string;
  readonly sha256: string;
}

/** Renders the files of each model and the registry of all versions into one tree. */
export function renderTree(models: readonly UapiModel[], kept: readonly VersionEntry[], renderer: Renderer): Map<string, string> {
  const tree = new Map<string, string>();
  for (const model of models) {
    for (const file of renderer.renderVersion(model)) tree.set(`${versionDirectory(model.kernel)}/${file.path}`, file.content);
  }
  const versions = [...kept, ...models.map((model) => ({ kernel: model.kernel, sha256: model.source.sha256 }))];
  versions.sort((a, b) => compareKernels(a.kernel, b.kernel));
  tree.set("index.ts", renderer.renderRegistry(versions));
  return new Map([...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The tree after adding `models` to the versions already in `outDir`: other
 * versions are kept as they are, and the registry lists all of them.
 */
export async function mergeIntoExisting(outDir: string, models: readonly UapiModel[], renderer: Renderer): Promise<FileTree> {
  const existing = await readTree(outDir);
  const replaced = new Set(models.map((model) => versionDirectory(model.kernel)));
  const kept: VersionEntry[] = [];
  const keptFiles = new Map<string, string>();
  for (const [path, content] of existing) {
    const directory = path.split("/")[0] ?? "";
    if (!path.includes("/") || replaced.has(directory)) continue;
    keptFiles.set(path, content);
    if (basename(path) === "uapi.json") {
      const document = JSON.parse(content) as { kernel: string; source: { sha256: string } };
      kept.push({ kernel: document.kernel, sha256: document.source.sha256 });
    }
  }
  const tree = renderTree(models, kept, renderer);
  for (const [path, content] of keptFiles) tree.set(path, content);
  return new Map([...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

