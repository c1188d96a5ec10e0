/**
 * The render stage: view models built from the model, rendered through the
 * handlebars templates in templates/. Templates hold no logic; every string
 * they print is computed and checked here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { DELEGATION_SINCE, ENUM_SPECS, type EnumSpec } from "../src/enums.js";
import { renderJson } from "./json.js";
import { INPUT_LICENCE, inputName, regenerateCommand } from "./provenance.js";
import { checkKernelLabel, versionDirectory } from "./version.js";
import type { NameHistory } from "./history.js";
import type { EnumModel, MemberModel, UapiModel } from "./model.js";

const TEMPLATE_DIR = fileURLToPath(new URL("../templates/", import.meta.url));

/** A generated file: its path relative to the version's directory, and its content. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** Returns whether a name is an ASCII C identifier, so it can be printed in TypeScript source unquoted. */
export function isCIdentifier(name: string): boolean {
  if (name.length === 0) return false;
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
    const digit = code >= 0x30 && code <= 0x39;
    if (!letter && !(digit && index > 0)) return false;
  }
  return true;
}

/** Returns `name`, or throws when it is not an ASCII C identifier and so must not reach a template. */
export function checkCIdentifier(name: string): string {
  if (!isCIdentifier(name)) throw new Error(`not a C identifier: ${JSON.stringify(name)}`);
  return name;
}

/** Returns the kernel's spelling of an enumerator for a delegate option: prefix removed, lower case. */
export function kernelName(spec: EnumSpec, cName: string): string | null {
  if (cName.length < spec.prefix.length) return null;
  if (cName.slice(0, spec.prefix.length).toUpperCase() !== spec.prefix) return null;
  return cName.slice(spec.prefix.length).toLowerCase();
}

/** Whether a kernel version label is a release with delegation options, or `next`. */
export function hasDelegation(kernel: string): boolean {
  if (kernel === "next") return true;
  const [major, minor] = kernel.split(".").map(Number);
  const [sinceMajor, sinceMinor] = DELEGATION_SINCE.split(".").map(Number);
  if (major === undefined || minor === undefined || sinceMajor === undefined || sinceMinor === undefined) return false;
  return major > sinceMajor || (major === sinceMajor && minor >= sinceMinor);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks a sha256 before a comment prints it. It may come from a uapi.json in
 * the out dir, so it is checked like text from a header.
 */
export function checkSha256(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 (64 lower-case hex digits): ${JSON.stringify(sha256)}`);
  return sha256;
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}n`;
}

function memberNote(member: MemberModel): string {
  switch (member.classification) {
    case "alias":
      return `alias of ${member.aliasOf ?? ""}`;
    case "sentinel":
      return "sentinel: the number of members before it";
    case "out-of-domain":
      return "out of domain: not a bit of a 64-bit delegate mask";
    default:
      return "";
  }
}

function enumView(model: EnumModel) {
  return {
    cName: model.spec.cName,
    tsName: model.spec.tsName,
    line: model.line,
    members: model.members.map((member) => {
      checkCIdentifier(member.name);
      const safe = member.value >= BigInt(Number.MIN_SAFE_INTEGER) && member.value <= BigInt(Number.MAX_SAFE_INTEGER);
      // A TypeScript enum assigns each member as `E["name"] = value`. For
      // `__proto__` that calls the prototype setter, which ignores a number,
      // so the member would be lost.
      const enumMember = safe && member.name !== "__proto__";
      return {
        name: member.name,
        key: propertyKey(member.name),
        value: member.value.toString(),
        literal: safe ? member.value.toString() : "",
        enumLiteral: enumMember ? member.value.toString() : "",
        enumOmission: safe
          ? "cannot be a TypeScript enum member, because it would set the enum's prototype, so it is only in constants.ts and uapi.json."
          : "is not a safe integer, so it is only in uapi.json.",
        note: memberNote(member),
      };
    }),
  };
}

/** Returns a property key that never sets the prototype of an object literal. */
function propertyKey(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : name;
}

function optionView(model: EnumModel) {
  const spec = model.spec;
  const names = [];
  const byBit = new Map<number, string[]>();
  for (const member of model.members) {
    const name = kernelName(spec, member.name);
    if (name === null) continue;
    checkCIdentifier(member.name);
    if (member.classification === "member" || member.classification === "alias") {
      const bit = Number(member.value);
      names.push({ name, cName: member.name, bit, aliasOf: member.aliasOf === undefined ? "" : kernelName(spec, member.aliasOf) });
      byBit.set(bit, [...(byBit.get(bit) ?? []), name]);
    } else {
      const bit = Number(BigInt.asUintN(6, member.value));
      names.push({ name, cName: member.name, bit, aliasOf: "", outOfDomainValue: `${member.value}n` });
    }
  }
  const bits = names.filter((entry) => entry.outOfDomainValue === undefined).map((entry) => ({ name: propertyKey(entry.name), bit: entry.bit }));
  const sentinel = model.sentinel === null ? "null" : `{ name: "${model.sentinel.name}", value: ${model.sentinel.value} }`;
  return {
    option: spec.option,
    key: spec.key,
    cName: spec.cName,
    prefix: spec.prefix,
    constant: (spec.key ?? "").toUpperCase(),
    anyMask: hex(model.anyMask),
    sentinel,
    names,
    bits,
    byBit: [...byBit.entries()].sort(([a], [b]) => a - b).map(([bit, list]) => ({ bit, names: list })),
  };
}

type Template = Handlebars.TemplateDelegate;

/** Compiles the templates once; one instance renders any number of versions. */
export class Renderer {
  private readonly handlebars = Handlebars.create();
  private readonly enums: Template;
  private readonly constants: Template;
  private readonly tables: Template;
  private readonly index: Template;
  private readonly registry: Template;
  private readonly history: Template;

  /**
   * `importFrom` is the module generated files take the runtime's types and
   * helpers from: null for this repository's src/, as generated/ needs, or a
   * package name such as `bpf-uapi` for tables generated elsewhere.
   */
  constructor(
    private readonly importFrom: string | null = null,
    templateDir: string = TEMPLATE_DIR,
  ) {
    const load = (name: string): string => readFileSync(`${templateDir}${name}`, "utf8");
    const compile = (name: string): Template =>
      this.handlebars.compile(load(name), { noEscape: true, strict: true, preventIndent: true });
    this.handlebars.registerPartial("header", load("header.hbs"));
    this.enums = compile("enums.ts.hbs");
    this.constants = compile("constants.ts.hbs");
    this.tables = compile("tables.ts.hbs");
    this.index = compile("index.ts.hbs");
    this.registry = compile("registry.ts.hbs");
    this.history = compile("history.ts.hbs");
  }

  /** Renders generated/history.ts: the versions that have each delegate name. */
  renderHistory(kernels: readonly string[], history: readonly NameHistory[]): string {
    for (const kernel of kernels) checkKernelLabel(kernel);
    for (const entry of history) {
      checkCIdentifier(entry.name);
      checkKernelLabel(entry.first);
      checkKernelLabel(entry.last);
    }
    const options = ENUM_SPECS.filter((spec) => spec.key !== null).map((spec) => ({
      key: spec.key,
      names: history
        .filter((entry) => entry.enumName === spec.cName && (entry.classification === "member" || entry.classification === "alias"))
        .flatMap((entry) => {
          const name = kernelName(spec, entry.name);
          return name === null ? [] : [{ name, first: entry.first, last: entry.last }];
        }),
    }));
    return this.history({
      command: "npm run generate",
      kernels: kernels.join(", "),
      licence: INPUT_LICENCE,
      runtimeImport: this.importFrom ?? "../src/enums.js",
      options,
    });
  }

  /** Renders generated/index.ts, which maps each version label to its tables. */
  renderRegistry(versions: ReadonlyArray<{ readonly kernel: string; readonly sha256: string }>): string {
    for (const version of versions) {
      checkKernelLabel(version.kernel);
      checkSha256(version.sha256);
    }
    const releases = versions.filter((version) => version.kernel !== "next");
    const newest = releases.at(-1) ?? versions.at(-1);
    return this.registry({
      command: "npm run generate",
      kernels: versions.map((version) => version.kernel).join(", "),
      licence: INPUT_LICENCE,
      runtimeImport: this.importFrom ?? "../src/tables.js",
      defaultKernel: newest?.kernel ?? "",
      versions: versions.map((version) => ({
        ...version,
        directory: versionDirectory(version.kernel),
        binding: `TABLES_${version.kernel.replaceAll(".", "_").toUpperCase()}`,
      })),
    });
  }

  /** Renders the files of one kernel version, paths relative to its directory. */
  renderVersion(model: UapiModel): GeneratedFile[] {
    const header = {
      input: inputName(model.source.path),
      command: regenerateCommand(checkKernelLabel(model.kernel)),
      kernel: model.kernel,
      sha256: checkSha256(model.source.sha256),
      licence: INPUT_LICENCE,
    };
    const present = new Set(model.enums.map((enumModel) => enumModel.spec.cName));
    const enums = {
      ...header,
      enums: model.enums.map(enumView),
      missing: [...ENUM_SPECS].filter((spec) => !present.has(spec.cName)),
    };
    const options = model.enums.filter((enumModel) => enumModel.spec.option !== null).map(optionView);
    const tables = { ...header, runtimeImport: this.importFrom ?? "../../src/tables.js", delegation: hasDelegation(model.kernel), options };
    return [
      { path: "enums.ts", content: this.enums(enums) },
      { path: "constants.ts", content: this.constants(enums) },
      { path: "tables.ts", content: this.tables(tables) },
      { path: "index.ts", content: this.index(header) },
      { path: "uapi.json", content: renderJson(model) },
    ];
  }
}
