/**
 * The committed generated/ tree, compiled with the TypeScript compiler
 * through ts-morph and the repository's tsconfig.json: it must type-check,
 * and each version's enums must export exactly the members its uapi.json
 * lists.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Project, SyntaxKind, type SourceFile } from "ts-morph";
import { beforeAll, describe, expect, it } from "vitest";
import { MASK_KEYS } from "../src/enums.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../", import.meta.url));
const GENERATED_DIR = path.join(REPOSITORY_ROOT, "generated");

interface JsonMember {
  readonly name: string;
  /** A number when the value is a safe integer, else a decimal string. */
  readonly value: number | string;
}

interface JsonEnum {
  readonly typeScriptName: string;
  readonly members: readonly JsonMember[];
}

interface UapiJson {
  readonly kernel: string;
  readonly enums: Readonly<Record<string, JsonEnum>>;
}

/** Version directories under generated/, each with a uapi.json. */
const VERSION_DIRECTORIES = readdirSync(GENERATED_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(GENERATED_DIR, entry.name, "uapi.json")))
  .map((entry) => entry.name)
  .sort();

function readUapiJson(directory: string): UapiJson {
  return JSON.parse(readFileSync(path.join(GENERATED_DIR, directory, "uapi.json"), "utf8")) as UapiJson;
}

let project: Project;

beforeAll(() => {
  project = new Project({ tsConfigFilePath: path.join(REPOSITORY_ROOT, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths(path.join(GENERATED_DIR, "**/*.ts"));
  project.resolveSourceFileDependencies();
});

function generatedFile(relative: string): SourceFile {
  return project.getSourceFileOrThrow(path.join(GENERATED_DIR, relative));
}

describe("generated TypeScript", () => {
  it("finds the committed versions", () => {
    expect(VERSION_DIRECTORIES).toEqual(expect.arrayContaining(["next", "v6.1", "v6.18"]));
  });

  it("has no pre-emit diagnostics", () => {
    // Diagnostics of src/ files that generated/ imports belong to src/'s own
    // checks, so only those located in generated/ (or in no file) count here.
    const diagnostics = project.getPreEmitDiagnostics().filter((diagnostic) => {
      const file = diagnostic.getSourceFile()?.getFilePath();
      return file === undefined || file.startsWith(`${GENERATED_DIR}/`);
    });

    expect(project.formatDiagnosticsWithColorAndContext(diagnostics)).toBe("");
  });
});

describe.each(VERSION_DIRECTORIES)("generated %s", (directory) => {
  it("enums equal uapi.json members", () => {
    const uapi = readUapiJson(directory);
    const enums = generatedFile(`${directory}/enums.ts`);

    for (const jsonEnum of Object.values(uapi.enums)) {
      const declaration = enums.getEnum(jsonEnum.typeScriptName);
      const members = declaration?.getMembers().map((member) => ({ name: member.getName(), value: member.getValue() }));
      const safeMembers = jsonEnum.members.filter((member) => typeof member.value === "number");

      expect(declaration?.isExported(), jsonEnum.typeScriptName).toBe(true);
      expect(members, jsonEnum.typeScriptName).toEqual(safeMembers.map(({ name, value }) => ({ name, value })));
    }
  });

  it("const objects equal uapi.json members", () => {
    const uapi = readUapiJson(directory);
    const constants = generatedFile(`${directory}/constants.ts`);

    for (const jsonEnum of Object.values(uapi.enums)) {
      const declaration = constants.getVariableDeclaration(jsonEnum.typeScriptName);
      // The checker's literal type of each property, which `as const` fixes to the value.
      const members = declaration
        ?.getType()
        .getProperties()
        .map((property) => ({ name: property.getName(), value: property.getTypeAtLocation(declaration).getLiteralValue() }));
      const safeMembers = jsonEnum.members.filter((member) => typeof member.value === "number");

      expect(declaration?.getVariableStatement()?.isExported(), jsonEnum.typeScriptName).toBe(true);
      expect(members, jsonEnum.typeScriptName).toEqual(safeMembers.map(({ name, value }) => ({ name, value })));
    }
  });

  it("uapi.json numbers are safe integers", () => {
    const uapi = readUapiJson(directory);

    for (const jsonEnum of Object.values(uapi.enums)) {
      for (const member of jsonEnum.members) {
        if (typeof member.value === "number") expect(Number.isSafeInteger(member.value), member.name).toBe(true);
        else expect(member.value, member.name).toMatch(/^-?\d+$/);
      }
    }
  });

  it("exports only the model's enums", () => {
    const uapi = readUapiJson(directory);
    const exported = generatedFile(`${directory}/enums.ts`)
      .getEnums()
      .filter((declaration) => declaration.isExported())
      .map((declaration) => declaration.getName());

    expect(exported).toEqual(Object.values(uapi.enums).map((jsonEnum) => jsonEnum.typeScriptName));
  });

  it("TABLES has the four option keys", () => {
    const declaration = generatedFile(`${directory}/tables.ts`).getVariableDeclarationOrThrow("TABLES");
    const literal = declaration.getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);

    expect(declaration.getVariableStatement()?.isExported()).toBe(true);
    for (const key of MASK_KEYS) {
      const table = literal.getPropertyOrThrow(key).asKindOrThrow(SyntaxKind.PropertyAssignment);
      const option = table.getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression).getPropertyOrThrow("option");
      expect(option.asKindOrThrow(SyntaxKind.PropertyAssignment).getInitializer()?.getText(), key).toBe(`"delegate_${key}"`);
    }
  });

  it("index.ts exports enums and TABLES", () => {
    const uapi = readUapiJson(directory);
    const exported = [...generatedFile(`${directory}/index.ts`).getExportedDeclarations().keys()];

    expect(exported).toEqual(expect.arrayContaining(["TABLES", ...Object.values(uapi.enums).map((jsonEnum) => jsonEnum.typeScriptName)]));
  });
});
