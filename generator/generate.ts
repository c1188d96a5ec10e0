/**
 * Generation for one or more kernel versions: header to model, models to
 * files, files to one output tree with the registry and history of all
 * versions in it.
 */
import { buildModel } from "./classify.js";
import { extractEnums, type ExtractOptions } from "./extract.js";
import { buildHistory } from "./history.js";
import { renderHistoryJson } from "./json.js";
import type { UapiModel } from "./model.js";
import { modelFromJson } from "./model-json.js";
import { Renderer } from "./render.js";
import { readHeader } from "./source.js";
import { compareKernels, versionDirectory } from "./version.js";
import { readTree, sortTree, type FileTree } from "./write.js";

export interface VersionInput {
  readonly kernel: string;
  readonly headerPath: string;
}

/** Reads one header and builds its model. Raises GeneratorErrors for a bad header. */
export async function modelVersion(input: VersionInput, options: ExtractOptions = {}): Promise<UapiModel> {
  const header = await readHeader(input.headerPath);
  const enums = extractEnums(header, options);
  return buildModel(input.kernel, { path: input.headerPath, sha256: header.sha256 }, enums);
}

/**
 * Renders the files of `models` and, from all versions, the registry and the
 * history. `kept` are versions whose files stay as they are. Raises
 * UapiBreakError when an enumerator changes value between versions.
 */
export function renderTree(models: readonly UapiModel[], kept: readonly UapiModel[], renderer: Renderer): Map<string, string> {
  const tree = new Map<string, string>();
  for (const model of models) {
    for (const file of renderer.renderVersion(model)) tree.set(`${versionDirectory(model.kernel)}/${file.path}`, file.content);
  }
  const all = [...kept, ...models].sort((a, b) => compareKernels(a.kernel, b.kernel));
  const history = buildHistory(all);
  const kernels = all.map((model) => model.kernel);
  tree.set("index.ts", renderer.renderRegistry(all.map((model) => ({ kernel: model.kernel, sha256: model.source.sha256 }))));
  tree.set("history.ts", renderer.renderHistory(kernels, history));
  tree.set("history.json", renderHistoryJson(kernels, history));
  return sortTree(tree);
}

/**
 * Returns the tree after adding `models` to the versions already in `outDir`: other
 * versions keep their files, and the registry and history cover all of them.
 */
export async function mergeIntoExisting(outDir: string, models: readonly UapiModel[], renderer: Renderer): Promise<FileTree> {
  const existing = await readTree(outDir);
  const replaced = new Set(models.map((model) => versionDirectory(model.kernel)));
  const kept: UapiModel[] = [];
  const keptFiles = new Map<string, string>();
  for (const [path, content] of existing) {
    const [directory = "", file] = path.split("/");
    if (file === undefined || replaced.has(directory)) continue;
    keptFiles.set(path, content);
    if (file === "uapi.json") kept.push(modelFromJson(content, `${outDir}/${path}`));
  }
  const tree = renderTree(models, kept, renderer);
  for (const [path, content] of keptFiles) tree.set(path, content);
  return sortTree(tree);
}
