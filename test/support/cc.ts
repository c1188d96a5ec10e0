/**
 * The C compiler as a referee for enum values. It compiles a header as user
 * space code (no __KERNEL__) and reads the enumerators back from the DWARF
 * debug info, so the values it returns never pass through this project's
 * own header parser.
 */
import { execFile, spawnSync } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** One enumerator with the value the C compiler assigned to it. */
export interface CompilerEnumerator {
  name: string;
  value: bigint;
}

/** Error for enum tags that the header declares nowhere or only as a forward declaration. */
export class EnumNotDefinedError extends Error {
  constructor(
    readonly headerFile: string,
    readonly missingTags: readonly string[],
  ) {
    const list = missingTags.map((tag) => `enum ${tag}`).join(", ");
    super(`${headerFile} does not define ${list}`);
    this.name = "EnumNotDefinedError";
  }
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Stable, untranslated compiler messages and readelf output.
const TOOL_ENV = { ...process.env, LC_ALL: "C" };
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

let cachedSkipReason: string | null | undefined;

function toolMissing(command: string): boolean {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  return result.error !== undefined || result.status !== 0;
}

/**
 * Returns why the compiler referee cannot run on this machine (no `cc` or no
 * `readelf` on PATH), or null when it can. Probes once per process.
 */
export function ccSkipReason(): string | null {
  if (cachedSkipReason === undefined) {
    if (toolMissing("cc")) {
      cachedSkipReason = "C compiler `cc` not found on PATH (install gcc)";
    } else if (toolMissing("readelf")) {
      cachedSkipReason = "`readelf` not found on PATH (install binutils)";
    } else {
      cachedSkipReason = null;
    }
  }
  return cachedSkipReason;
}

function requireIdentifiers(kind: string, names: readonly string[]): void {
  for (const name of names) {
    if (!C_IDENTIFIER.test(name)) {
      throw new Error(`invalid ${kind} ${JSON.stringify(name)}: expected a C identifier`);
    }
  }
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-cc-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles `source` with the header force-included (`cc -include`), which
 * resolves the header's own <linux/...> includes against the system include path.
 */
async function compile(
  headerFile: string,
  defines: readonly string[],
  source: string,
  output: string,
  extraArgs: readonly string[],
): Promise<void> {
  const sourceFile = `${output}.c`;
  await writeFile(sourceFile, source);
  const args = ["-g", "-O0", "-std=gnu11", ...defines.map((define) => `-D${define}`)];
  args.push("-include", headerFile, ...extraArgs, "-o", output, sourceFile);
  try {
    await execFileAsync("cc", args, { env: TOOL_ENV, maxBuffer: MAX_OUTPUT_BYTES });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`cc failed to compile against ${headerFile}:\n${stderr.trim()}`);
  }
}

async function requireReadable(headerFile: string): Promise<string> {
  const absolute = path.resolve(headerFile);
  try {
    await access(absolute);
  } catch {
    throw new Error(`header not found or not readable: ${absolute}`);
  }
  return absolute;
}

/** A DWARF enumeration type as readelf prints it. */
interface DwarfEnum {
  declarationOnly: boolean;
  enumerators: CompilerEnumerator[];
}

interface Die {
  depth: number;
  tag: string;
  attributes: Map<string, string>;
}

const DIE_LINE = /^\s*<(\d+)><[0-9a-f]+>: Abbrev Number: \d+ \((DW_TAG_\w+)\)/;
const ATTRIBUTE_LINE = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s?(.*)$/;

/** Splits `readelf --debug-dump=info` output into DIEs with their attributes. */
function parseDies(readelfOutput: string): Die[] {
  const dies: Die[] = [];
  let current: Die | null = null;
  for (const line of readelfOutput.split("\n")) {
    const dieMatch = DIE_LINE.exec(line);
    if (dieMatch !== null) {
      current = { depth: Number(dieMatch[1]), tag: dieMatch[2] ?? "", attributes: new Map() };
      dies.push(current);
      continue;
    }
    const attributeMatch = ATTRIBUTE_LINE.exec(line);
    if (attributeMatch !== null && current !== null) {
      current.attributes.set(attributeMatch[1] ?? "", (attributeMatch[2] ?? "").trimEnd());
    }
  }
  return dies;
}

/** Strips readelf's "(indirect string, offset: 0x552): " prefix from a string attribute. */
function attributeString(value: string): string {
  return value.replace(/^\([^)]*\):\s*/, "");
}

/**
 * Converts a DW_AT_const_value as readelf prints it. readelf prints
 * DW_FORM_sdata as signed decimal, DW_FORM_data1/2 and udata as unsigned
 * decimal, and DW_FORM_data4/8 as hex (binutils 2.40). GCC 12 emits an
 * unsigned form for every value that is not negative and DW_FORM_sdata for
 * negative ones, so decimal and hex text both read as the value itself.
 */
function constValue(text: string, enumeratorName: string): bigint {
  // NOTE: a compiler that stores a negative value in a fixed-size data form
  // would read here as a large positive value. Comparing with compilerValues
  // exposes that.
  if (/^-?\d+$/.test(text) || /^0x[0-9a-f]+$/i.test(text)) {
    return BigInt(text);
  }
  throw new Error(`unsupported DW_AT_const_value form for ${enumeratorName}: ${JSON.stringify(text)}`);
}

/** Collects every named enumeration type in the DWARF info, keyed by tag. */
function collectEnums(dies: readonly Die[]): Map<string, DwarfEnum> {
  const enums = new Map<string, DwarfEnum>();
  let open: { depth: number; entry: DwarfEnum } | null = null;
  for (const die of dies) {
    if (open !== null && die.depth <= open.depth) {
      open = null;
    }
    if (open !== null && die.depth === open.depth + 1 && die.tag === "DW_TAG_enumerator") {
      const name = attributeString(die.attributes.get("DW_AT_name") ?? "");
      const value = constValue(die.attributes.get("DW_AT_const_value") ?? "", name);
      open.entry.enumerators.push({ name, value });
      continue;
    }
    const tagName = die.attributes.get("DW_AT_name");
    if (die.tag !== "DW_TAG_enumeration_type" || tagName === undefined) {
      continue;
    }
    const entry: DwarfEnum = {
      declarationOnly: die.attributes.has("DW_AT_declaration"),
      enumerators: [],
    };
    const name = attributeString(tagName);
    const previous = enums.get(name);
    if (previous === undefined || previous.declarationOnly) {
      enums.set(name, entry);
    }
    open = { depth: die.depth, entry };
  }
  return enums;
}

/**
 * Compiles `headerFile` as user space C and returns, for each tag in
 * `enumTags`, the enumerators of `enum TAG` in declaration order with the
 * values the compiler assigned. `defines` become `-D` flags ("NAME" or
 * "NAME=VALUE"). Throws EnumNotDefinedError when the header defines one of
 * the tags nowhere, and Error when the header is missing or fails to compile.
 */
export async function compilerEnumerators(
  headerFile: string,
  enumTags: string[],
  defines: string[] = [],
): Promise<Map<string, CompilerEnumerator[]>> {
  requireIdentifiers("enum tag", enumTags);
  const header = await requireReadable(headerFile);

  // A pointer to an enum compiles even when the enum is undefined, and the
  // DWARF info then marks the type with DW_AT_declaration.
  const declarations = enumTags.map((tag, index) => `enum ${tag} *referee_enum_${index};`);
  const readelfOutput = await withTempDir(async (dir) => {
    const object = path.join(dir, "enums.o");
    await compile(header, defines, `${declarations.join("\n")}\n`, object, ["-c"]);
    const { stdout } = await execFileAsync("readelf", ["--debug-dump=info", object], {
      env: TOOL_ENV,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    return stdout;
  });

  const enums = collectEnums(parseDies(readelfOutput));
  const missing = enumTags.filter((tag) => {
    const found = enums.get(tag);
    return found === undefined || found.declarationOnly;
  });
  if (missing.length > 0) {
    throw new EnumNotDefinedError(header, missing);
  }

  const result = new Map<string, CompilerEnumerator[]>();
  for (const tag of enumTags) {
    result.set(tag, enums.get(tag)?.enumerators ?? []);
  }
  return result;
}

/**
 * Compiles and runs a program that prints each named constant of
 * `headerFile` with printf, and returns the printed values. Constants may be
 * enumerators or integer macros. Negative values print through `long long`,
 * others through `unsigned long long`, so the full range from -2^63 to
 * 2^64-1 survives. Throws when a name is not an integer constant of the header.
 */
export async function compilerValues(
  headerFile: string,
  names: string[],
  defines: string[] = [],
): Promise<Map<string, bigint>> {
  requireIdentifiers("constant name", names);
  const header = await requireReadable(headerFile);


  const stdout = await withTempDir(async (dir) => {
    const program = path.join(dir, "values");
    await compile(header, defines, printfProgram(names), program, []);
    return (await execFileAsync(program, [], { maxBuffer: MAX_OUTPUT_BYTES })).stdout;
  });

  const values = new Map<string, bigint>();
  for (const line of stdout.split("\n")) {
    const match = /^(\w+) (-?\d+)$/.exec(line);
    if (match !== null) {
      values.set(match[1] ?? "", BigInt(match[2] ?? ""));
    }
  }
  return values;
}

/**
 * Returns the C source of a program that prints `NAME VALUE` for each name.
 * Negative values print through `long long` and the others through
 * `unsigned long long`, so every value from -2^63 to 2^64-1 prints exactly.
 * printf is declared by hand because a libc header could clash with the
 * types that a vmlinux.h declares.
 */
export function printfProgram(names: readonly string[]): string {
  const lines = ["extern int printf(const char *format, ...);", "int main(void) {"];
  for (const name of names) {
    lines.push(
      `  if ((${name}) < 0) printf("${name} %lld\\n", (long long)(${name}));`,
      `  else printf("${name} %llu\\n", (unsigned long long)(${name}));`,
    );
  }
  lines.push("  return 0;", "}", "");
  return lines.join("\n");
}
