/**
 * Text from a header or from a uapi.json in the out dir reaches the
 * handlebars templates only as checked C identifiers, kernel labels and
 * sha256 digests, so it can never end a generated comment or string early.
 * `__proto__` renders as a computed key and survives a round trip through
 * the generated TypeScript.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildModel } from "../generator/classify.js";
import { UsageError } from "../generator/errors.js";
import { extractEnums } from "../generator/extract.js";
import { mergeIntoExisting } from "../generator/generate.js";
import type { NameHistory } from "../generator/history.js";
import type { UapiModel } from "../generator/model.js";
import { Renderer, type GeneratedFile } from "../generator/render.js";
import { decodeHeader } from "../generator/source.js";
import type { RawEnum } from "../generator/walk.js";
import { writeTree } from "../generator/write.js";
import { format } from "../src/format.js";
import { parse } from "../src/parse.js";
import type { KernelTables } from "../src/tables.js";

const ZERO_SHA256 = "0".repeat(64);

/** Names that would end a comment, a string or a line if printed verbatim. */
const HOSTILE_NAMES = [
  "X */ export const y = 1; /*",
  'BPF_A"B',
  "BPF_A'B",
  "BPF_A`B",
  "BPF_A\nB",
  "BPF_A\\B",
  "BPF_\u00c4",
  "",
];

let workDir = "";

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-template-safety-"));
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Builds a model whose bpf_cmd has `cmdNames` as enumerators 0, 1, 2, ..., without a header. */
function handMadeModel(cmdNames: readonly string[], kernel = "6.18", sha256 = ZERO_SHA256): UapiModel {
  const enumerators: Record<string, readonly string[]> = {
    bpf_cmd: cmdNames,
    bpf_map_type: ["BPF_MAP_TYPE_UNSPEC"],
    bpf_prog_type: ["BPF_PROG_TYPE_UNSPEC"],
    bpf_attach_type: ["BPF_CGROUP_INET_INGRESS"],
  };
  const enums = new Map<string, RawEnum>();
  let line = 1;
  for (const [tag, names] of Object.entries(enumerators)) {
    const raw = names.map((name, index) => ({ name, value: BigInt(index), line: line + 1 + index, column: 2 }));
    enums.set(tag, { tag, line, column: 1, enumerators: raw });
    line += names.length + 2;
  }
  return buildModel(kernel, { path: "hand-made.h", sha256 }, enums);
}

function renderFile(files: readonly GeneratedFile[], name: string): string {
  return files.find((file) => file.path === name)?.content ?? "";
}

describe("render rejects", () => {
  it.each(HOSTILE_NAMES)("member name %j", (name) => {
    const model = handMadeModel(["BPF_MAP_CREATE", name]);

    expect(() => new Renderer().renderVersion(model)).toThrow(`not a C identifier: ${JSON.stringify(name)}`);
  });

  it.each(HOSTILE_NAMES)("history name %j", (name) => {
    const entry: NameHistory = { enumName: "bpf_cmd", name, first: "6.18", last: "6.18", value: 1n, classification: "member" };

    expect(() => new Renderer().renderHistory(["6.18"], [entry])).toThrow(`not a C identifier: ${JSON.stringify(name)}`);
  });

  it.each(["6.18\nexport const y = 1;", '6.18"', "6.18 */", "../6.18"])("kernel label %j", (kernel) => {
    const model = handMadeModel(["BPF_MAP_CREATE"], kernel);
    const renderer = new Renderer();
    const message = `invalid kernel version "${kernel}" - use MAJOR.MINOR such as 6.18, or next`;

    expect(() => renderer.renderVersion(model)).toThrow(UsageError);
    expect(() => renderer.renderVersion(model)).toThrow(message);
    expect(() => renderer.renderRegistry([{ kernel, sha256: ZERO_SHA256 }])).toThrow(message);
    expect(() => renderer.renderHistory([kernel], [])).toThrow(message);
  });

  it.each([`${ZERO_SHA256}\nexport const y = 1;`, "0".repeat(63), "A".repeat(64)])("sha256 %j", (sha256) => {
    const model = handMadeModel(["BPF_MAP_CREATE"], "6.18", sha256);
    const renderer = new Renderer();
    const message = `not a sha256 (64 lower-case hex digits): ${JSON.stringify(sha256)}`;

    expect(() => renderer.renderVersion(model)).toThrow(message);
    expect(() => renderer.renderRegistry([{ kernel: "6.18", sha256 }])).toThrow(message);
  });

  it("kernel label from uapi.json", async () => {
    const outDir = path.join(workDir, "out");
    const renderer = new Renderer();
    await writeTree(outDir, await mergeIntoExisting(outDir, [handMadeModel(["BPF_MAP_CREATE"], "6.1")], renderer));
    const uapiJson = path.join(outDir, "v6.1", "uapi.json");
    const document = (await readFile(uapiJson, "utf8")).replace('"kernel": "6.1"', '"kernel": "6.1\\nexport const y = 1;"');
    await writeFile(uapiJson, document);

    const merged = mergeIntoExisting(outDir, [handMadeModel(["BPF_MAP_CREATE"], "6.18")], renderer);

    await expect(merged).rejects.toThrow('invalid kernel version "6.1\nexport const y = 1;"');
  });
});

describe("__proto__ member", () => {
  // BPF___proto__ has the delegate name __proto__, and __proto__ itself is a
  // C identifier that a TypeScript enum cannot hold.
  const model = handMadeModel(["BPF_MAP_CREATE", "BPF___proto__", "__proto__", "BPF_CONSTRUCTOR"]);
  const files = new Renderer().renderVersion(model);

  /**
   * Writes the rendered files into a version directory of a temporary tree
   * and imports `name`. The tree links to the repository's src/, which the
   * generated tables import.
   */
  async function importRendered(name: string): Promise<Record<string, unknown>> {
    const versionDir = path.join(workDir, "generated", "v6.18");
    await mkdir(versionDir, { recursive: true });
    await symlink(path.resolve("src"), path.join(workDir, "src")).catch(() => undefined);
    for (const file of files) await writeFile(path.join(versionDir, file.path), file.content);
    return (await import(pathToFileURL(path.join(versionDir, name)).href)) as Record<string, unknown>;
  }

  it("is a computed key", () => {
    expect(renderFile(files, "tables.ts")).toContain('  ["__proto__"]: 1,\n');
    expect(renderFile(files, "constants.ts")).toContain('  ["__proto__"]: 2,\n');
  });

  it("is a comment in enums.ts", () => {
    const enums = renderFile(files, "enums.ts");

    expect(enums).toContain("  // __proto__ = 2 cannot be a TypeScript enum member");
    expect(enums).not.toContain("  __proto__ = 2,");
  });

  it("survives in constants.ts", async () => {
    const constants = await importRendered("constants.ts");
    const bpfCmd = constants["BpfCmd"] as object;

    expect(Object.getPrototypeOf(bpfCmd)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(bpfCmd, "__proto__")?.value).toBe(2);
    expect(Object.keys(bpfCmd)).toEqual(["BPF_MAP_CREATE", "BPF___proto__", "__proto__", "BPF_CONSTRUCTOR"]);
  });

  it("survives in tables.ts", async () => {
    const tables = await importRendered("tables.ts");
    const bits = tables["CMDS_BITS"] as object;
    const kernelTables = tables["TABLES"] as KernelTables;

    expect(Object.getPrototypeOf(bits)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(bits, "__proto__")?.value).toBe(1);
    expect("toString" in bits).toBe(false);
    expect(kernelTables.cmds.names.map((entry) => entry.name)).toEqual(["map_create", "__proto__", "constructor"]);
    expect(parse("delegate_cmds=__proto__:constructor", { kernel: kernelTables }).masks.cmds).toBe(0b1010n);
    expect(format({ cmds: 0b1010n }, { kernel: kernelTables })).toBe("delegate_cmds=__proto__:constructor");
  });

  it("keeps the enum prototype", async () => {
    const enums = await importRendered("enums.ts");
    const bpfCmd = enums["BpfCmd"] as Record<string, unknown>;

    expect(Object.getPrototypeOf(bpfCmd)).toBe(Object.prototype);
    expect(bpfCmd["BPF___proto__"]).toBe(1);
    expect(Object.hasOwn(bpfCmd, "__proto__")).toBe(false);
  });
});

describe("header comments", () => {
  // Comments are appended at line ends, so every enumerator keeps its line
  // and column and the rendered files must be identical.
  const PLAIN_HEADER = [
    "enum bpf_cmd {",
    "\tBPF_MAP_CREATE,",
    "\tBPF_PROG_LOAD,",
    "};",
    "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC };",
    "enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC };",
    "enum bpf_attach_type { BPF_CGROUP_INET_INGRESS, __MAX_BPF_ATTACH_TYPE };",
    "",
  ];
  const COMMENTED_HEADER = [
    "enum bpf_cmd { // */ export const injected = 1; /*",
    '\tBPF_MAP_CREATE, /* "*\\/ \' ` ${injected} */',
    "\tBPF_PROG_LOAD, // \" */ ` \\ not a line splice",
    "}; /* /* nested? */ // */",
    "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC }; // <!-- {{injected}} -->",
    "enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC }; /** @deprecated */",
    "enum bpf_attach_type { BPF_CGROUP_INET_INGRESS, __MAX_BPF_ATTACH_TYPE }; // \u2028 injected",
    "",
  ];

  function render(lines: readonly string[]): GeneratedFile[] {
    const header = decodeHeader("bpf.h", new TextEncoder().encode(lines.join("\n")));
    return new Renderer().renderVersion(buildModel("6.18", { path: "bpf.h", sha256: ZERO_SHA256 }, extractEnums(header)));
  }

  it("do not change the output", () => {
    const plain = render(PLAIN_HEADER);
    const commented = render(COMMENTED_HEADER);

    expect(commented.map((file) => file.path)).toEqual(plain.map((file) => file.path));
    for (const [index, file] of plain.entries()) {
      expect(commented[index]?.content, file.path).toBe(file.content);
    }
  });

  it("never reach the output", () => {
    for (const file of render(COMMENTED_HEADER)) {
      expect(file.content, file.path).not.toContain("injected");
    }
  });
});
