import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { compareWithBtf } from "../generator/btf-compare.js";
import { BtfError, btfEnumsByName, readBtf, type BtfEnum, type BtfEnums } from "../generator/btf.js";
import type { EnumModel, MemberModel, UapiModel } from "../generator/model.js";
import { ENUM_SPECS } from "../src/enums.js";
import { sharedHeadersDir } from "./support/shared.js";

const FIVE_ENUMS = ENUM_SPECS.map((spec) => spec.cName);

// BTF kind numbers used by the synthetic blobs below.
const KIND = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10,
  RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

/** Writer of small raw BTF files: type records as u32 words, then the string section. */
class BtfBuilder {
  private readonly words: number[] = [];
  private readonly strings: number[] = [0];
  private typeCount = 0;

  constructor(private readonly littleEndian = true) {}

  /** Appends a NUL-terminated string and returns its offset in the string section. */
  str(text: string): number {
    const offset = this.strings.length;
    this.strings.push(...new TextEncoder().encode(text), 0);
    return offset;
  }

  /** Appends one type record and returns its type id. Trailing words may be negative s32 values. */
  type(nameOffset: number, kind: number, sizeOrType: number, trailing: number[] = [], options: { vlen?: number; kindFlag?: boolean } = {}): number {
    const vlen = options.vlen ?? 0;
    const info = ((options.kindFlag === true ? 1 << 31 : 0) | (kind << 24) | vlen) >>> 0;
    this.words.push(nameOffset, info, sizeOrType, ...trailing);
    this.typeCount += 1;
    return this.typeCount;
  }

  /** Returns the file: a 24-byte header, the type section and the string section. */
  build(header: { magic?: number; version?: number } = {}): Uint8Array {
    const typeLength = this.words.length * 4;
    const bytes = new Uint8Array(24 + typeLength + this.strings.length);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, header.magic ?? 0xeb9f, this.littleEndian);
    view.setUint8(2, header.version ?? 1);
    const fields = [24, 0, typeLength, typeLength, this.strings.length];
    fields.forEach((field, i) => view.setUint32(4 + i * 4, field, this.littleEndian));
    this.words.forEach((word, i) => view.setUint32(24 + i * 4, word >>> 0, this.littleEndian));
    bytes.set(this.strings, 24 + typeLength);
    return bytes;
  }
}

/** Builds a blob with one record of every kind, so enums come after records of every other size. */
function everyKindBtf(littleEndian: boolean): Uint8Array {
  const b = new BtfBuilder(littleEndian);
  const int = b.type(b.str("int"), KIND.INT, 4, [0x01000020]);
  const pointer = b.type(0, KIND.PTR, int);
  b.type(0, KIND.ARRAY, 0, [int, int, 4]);
  const pair = b.type(b.str("pair"), KIND.STRUCT, 8, [b.str("a"), int, 0, b.str("b"), int, 32], { vlen: 2 });
  b.type(b.str("either"), KIND.UNION, 4, [b.str("x"), int, 0, b.str("y"), int, 0], { vlen: 2 });
  b.type(b.str("later"), KIND.FWD, 0);
  b.type(b.str("int_t"), KIND.TYPEDEF, int);
  b.type(0, KIND.VOLATILE, int);
  b.type(0, KIND.CONST, int);
  b.type(0, KIND.RESTRICT, pointer);
  const proto = b.type(0, KIND.FUNC_PROTO, int, [b.str("p"), int, b.str("q"), int], { vlen: 2 });
  b.type(b.str("f"), KIND.FUNC, proto);
  const variable = b.type(b.str("v"), KIND.VAR, int, [1]);
  b.type(b.str(".data"), KIND.DATASEC, 4, [variable, 0, 4], { vlen: 1 });
  b.type(b.str("double"), KIND.FLOAT, 8);
  b.type(b.str("tag"), KIND.DECL_TAG, pair, [-1]);
  b.type(b.str("user"), KIND.TYPE_TAG, int);

  b.type(b.str("colour"), KIND.ENUM, 4, [b.str("RED"), 0, b.str("TOP"), 0xffffffff], { vlen: 2 });
  b.type(b.str("delta"), KIND.ENUM, 4, [b.str("MINUS_ONE"), -1, b.str("PLUS_ONE"), 1], { vlen: 2, kindFlag: true });
  b.type(0, KIND.ENUM, 4, [b.str("ANONYMOUS"), 7], { vlen: 1 });
  const wideMembers = [b.str("MAX"), 0xffffffff, 0xffffffff, b.str("TWO_POW_32"), 0, 1];
  b.type(b.str("wide"), KIND.ENUM64, 8, wideMembers, { vlen: 2 });
  b.type(b.str("wide_signed"), KIND.ENUM64, 8, [b.str("MINUS_TWO"), 0xfffffffe, 0xffffffff], { vlen: 1, kindFlag: true });
  b.type(b.str("colour"), KIND.ENUM, 4, [b.str("GREEN"), 1], { vlen: 1 });
  return b.build();
}

const EVERY_KIND_ENUMS: BtfEnum[] = [
  { typeId: 18, name: "colour", kind: "enum", signed: false, size: 4, members: [{ name: "RED", value: 0n }, { name: "TOP", value: 4294967295n }] },
  { typeId: 19, name: "delta", kind: "enum", signed: true, size: 4, members: [{ name: "MINUS_ONE", value: -1n }, { name: "PLUS_ONE", value: 1n }] },
  { typeId: 21, name: "wide", kind: "enum64", signed: false, size: 8, members: [{ name: "MAX", value: 2n ** 64n - 1n }, { name: "TWO_POW_32", value: 2n ** 32n }] },
  { typeId: 22, name: "wide_signed", kind: "enum64", signed: true, size: 8, members: [{ name: "MINUS_TWO", value: -2n }] },
  { typeId: 23, name: "colour", kind: "enum", signed: false, size: 4, members: [{ name: "GREEN", value: 1n }] },
];

describe("readBtf on synthetic BTF", () => {
  it("reads enums after every kind", () => {
    const btf = readBtf(everyKindBtf(true), "every-kind.btf");

    expect(btf.byteOrder).toBe("little");
    expect(btf.typeCount).toBe(23);
    expect(btf.enums).toEqual(EVERY_KIND_ENUMS);
  });

  it("reads big-endian BTF", () => {
    const btf = readBtf(everyKindBtf(false), "big-endian.btf");

    expect(btf.byteOrder).toBe("big");
    expect(btf.typeCount).toBe(23);
    expect(btf.enums).toEqual(EVERY_KIND_ENUMS);
  });

  it("keeps duplicate names in type id order", () => {
    const btf = readBtf(everyKindBtf(true), "every-kind.btf");

    expect(btfEnumsByName(btf, "colour").map((found) => found.typeId)).toEqual([18, 23]);
    expect(btfEnumsByName(btf, "missing")).toEqual([]);
  });

  it("reads an empty type section", () => {
    const btf = readBtf(new BtfBuilder().build(), "empty.btf");

    expect(btf.typeCount).toBe(0);
    expect(btf.enums).toEqual([]);
  });
});

/** Returns the message of the BtfError that `read` throws, checking its file and offset fields. */
function btfErrorOf(read: () => unknown, file: string, offset: number): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(BtfError);
    expect((error as BtfError).file).toBe(file);
    expect((error as BtfError).offset).toBe(offset);
    return (error as Error).message;
  }
  throw new Error("expected readBtf to throw a BtfError");
}

describe("readBtf errors", () => {
  it("rejects a truncated header", () => {
    const message = btfErrorOf(() => readBtf(new Uint8Array(10), "short.btf"), "short.btf", 10);

    expect(message).toBe("short.btf: offset 0xa: file ends after 10 bytes, inside the 24-byte BTF header - the file is truncated or not raw BTF");
  });

  it("rejects a truncated section", () => {
    const whole = everyKindBtf(true);
    const message = btfErrorOf(() => readBtf(whole.subarray(0, whole.length - 3), "cut.btf"), "cut.btf", 16);

    expect(message).toMatch(/^cut\.btf: offset 0x10: string section 0x[0-9a-f]+-0x[0-9a-f]+ ends past the end of the 0x[0-9a-f]+-byte file - the file is truncated$/);
  });

  it("rejects a wrong magic", () => {
    const elf = new Uint8Array(64);
    elf.set([0x7f, 0x45, 0x4c, 0x46]);
    const message = btfErrorOf(() => readBtf(elf, "vmlinux"), "vmlinux", 0);

    expect(message).toBe("vmlinux: offset 0x0: invalid BTF magic 0x457f, expected 0xeb9f in either byte order - the file is not raw BTF (an ELF object keeps BTF in its .BTF section)");
  });

  it("rejects an unknown version", () => {
    const message = btfErrorOf(() => readBtf(new BtfBuilder().build({ version: 2 }), "v2.btf"), "v2.btf", 2);

    expect(message).toBe("v2.btf: offset 0x2: unsupported BTF version 2, expected 1 - the file is not raw BTF or uses a newer BTF format");
  });

  it("rejects an out-of-range type name", () => {
    const b = new BtfBuilder();
    b.str("int");
    b.type(0x100, KIND.INT, 4, [32]);
    const message = btfErrorOf(() => readBtf(b.build(), "names.btf"), "names.btf", 24);

    expect(message).toBe("names.btf: offset 0x18: name offset 0x100 of type 1 is past the end of the 0x5-byte string section - the file is corrupt, or is split BTF of a kernel module, which this reader does not support");
  });

  it("rejects an out-of-range enumerator name", () => {
    const b = new BtfBuilder();
    b.type(b.str("e"), KIND.ENUM, 4, [b.str("A"), 0, 0x40, 1], { vlen: 2 });
    const message = btfErrorOf(() => readBtf(b.build(), "enum.btf"), "enum.btf", 24 + 12 + 8);

    expect(message).toBe("enum.btf: offset 0x2c: name offset 0x40 of enumerator 1 of type 1 (enum e) is past the end of the 0x5-byte string section - the file is corrupt, or is split BTF of a kernel module, which this reader does not support");
  });

  it("rejects an unterminated name", () => {
    const b = new BtfBuilder();
    b.type(b.str("int"), KIND.INT, 4, [32]);
    const bytes = b.build();
    new DataView(bytes.buffer).setUint32(20, 4, true); // str_len: cut off the NUL after "int"
    const message = btfErrorOf(() => readBtf(bytes, "unterminated.btf"), "unterminated.btf", 24);

    expect(message).toBe("unterminated.btf: offset 0x18: name of type 1 has no terminating NUL in the string section - the file is corrupt");
  });

  it("rejects an unknown kind", () => {
    const b = new BtfBuilder();
    b.type(b.str("int"), KIND.INT, 4, [32]);
    b.type(0, 31, 0);
    const message = btfErrorOf(() => readBtf(b.build(), "vmlinux.btf"), "vmlinux.btf", 24 + 16 + 4);

    expect(message).toBe("vmlinux.btf: offset 0x2c: unknown BTF kind 31 in type 2 - the file is not raw BTF or is from a newer kernel");
  });

  it("rejects a record past the type section", () => {
    const b = new BtfBuilder();
    b.type(b.str("s"), KIND.STRUCT, 8, [], { vlen: 5 });
    const message = btfErrorOf(() => readBtf(b.build(), "struct.btf"), "struct.btf", 24);

    expect(message).toBe("struct.btf: offset 0x18: type 1 (kind 4) runs past the end of the type section - the file is truncated");
  });
});

/** Builds a model with the given enumerators per C enum tag. Positions and classes are placeholders. */
function modelOf(enums: Record<string, [string, bigint][]>): UapiModel {
  const enumModels: EnumModel[] = ENUM_SPECS.filter((spec) => enums[spec.cName] !== undefined).map((spec) => {
    const members: MemberModel[] = (enums[spec.cName] ?? []).map(([name, value], i) => ({
      name, value, line: i + 1, column: 1, classification: "member",
    }));
    return { spec, line: 1, column: 1, members, sentinel: null, anyMask: 0n };
  });
  return { kernel: "6.18", source: { path: "bpf.h", sha256: "0".repeat(64) }, enums: enumModels };
}

/** Builds BTF enums from (tag, kind, enumerators) rows, numbering type ids from 1. */
function btfOf(rows: [string, "enum" | "enum64", [string, bigint][]][]): BtfEnums {
  const enums = rows.map(([name, kind, members], i) => ({
    typeId: i + 1, name, kind, signed: false, size: 4, members: members.map(([member, value]) => ({ name: member, value })),
  }));
  return { file: "vmlinux.btf", byteOrder: "little", typeCount: rows.length, enums };
}

const MATCHING: [string, bigint][] = [["A", 0n]];
const OTHER_DELEGATE_ENUMS: [string, "enum", [string, bigint][]][] = [
  ["bpf_map_type", "enum", MATCHING], ["bpf_prog_type", "enum", MATCHING], ["bpf_attach_type", "enum", MATCHING],
];
const OTHER_MODEL_ENUMS = { bpf_map_type: MATCHING, bpf_prog_type: MATCHING, bpf_attach_type: MATCHING };

describe("compareWithBtf", () => {
  it("returns nothing for equal enums", () => {
    const model = modelOf({ bpf_cmd: [["BPF_MAP_CREATE", 0n]], ...OTHER_MODEL_ENUMS, bpf_link_type: [["X", 1n]] });
    const btf = btfOf([["bpf_cmd", "enum", [["BPF_MAP_CREATE", 0n]]], ...OTHER_DELEGATE_ENUMS]);

    expect(compareWithBtf(model, btf)).toEqual([]);
  });

  it("reports each enumerator difference", () => {
    const model = modelOf({ bpf_cmd: [["BPF_MAP_CREATE", 0n], ["BPF_PROG_LOAD", 5n], ["BPF_OLD", 7n]], ...OTHER_MODEL_ENUMS });
    const btf = btfOf([["bpf_cmd", "enum", [["BPF_MAP_CREATE", 0n], ["BPF_PROG_LOAD", 6n], ["BPF_NEW", 37n]]], ...OTHER_DELEGATE_ENUMS]);
    const findings = compareWithBtf(model, btf);

    expect(findings.map((found) => [found.kind, found.enum, found.name, found.modelValue, found.btfValue])).toEqual([
      ["value-mismatch", "bpf_cmd", "BPF_PROG_LOAD", 5n, 6n],
      ["missing-from-btf", "bpf_cmd", "BPF_OLD", 7n, null],
      ["missing-from-model", "bpf_cmd", "BPF_NEW", null, 37n],
    ]);
    expect(findings.map((found) => found.message)).toEqual([
      "enum bpf_cmd: BPF_PROG_LOAD is 5 in bpf.h but 6 in vmlinux.btf - the kernel uses the BTF value, so generate the tables from the bpf.h of the kernel that produced the BTF",
      "enum bpf_cmd: BPF_OLD = 7 is in bpf.h but missing from vmlinux.btf - a kernel with this BTF rejects the name, so generate the tables from the bpf.h of the kernel that produced the BTF or target a newer kernel",
      "enum bpf_cmd: BPF_NEW = 37 is in vmlinux.btf but missing from bpf.h - the kernel accepts a name the tables lack, so generate the tables from the bpf.h of the kernel that produced the BTF",
    ]);
  });

  it("ignores enums without a delegate option", () => {
    const model = modelOf({ bpf_cmd: MATCHING, ...OTHER_MODEL_ENUMS, bpf_link_type: [["BPF_LINK_TYPE_UNSPEC", 0n]] });
    const btf = btfOf([["bpf_cmd", "enum", MATCHING], ...OTHER_DELEGATE_ENUMS, ["bpf_link_type", "enum", [["OTHER", 3n]]]]);

    expect(compareWithBtf(model, btf)).toEqual([]);
  });

  it("reports an enum missing from BTF", () => {
    const model = modelOf({ bpf_cmd: MATCHING, ...OTHER_MODEL_ENUMS });
    const findings = compareWithBtf(model, btfOf([["bpf_cmd", "enum64", MATCHING], ...OTHER_DELEGATE_ENUMS]));

    expect(findings).toEqual([{
      kind: "enum-missing-from-btf", enum: "bpf_cmd", name: null, modelValue: null, btfValue: null,
      message: "enum bpf_cmd is missing from vmlinux.btf as ENUM, the only kind the kernel searches - a kernel with this BTF rejects every delegate_cmds name, so check that the file is the vmlinux BTF of Linux 6.9 or later",
    }]);
  });

  it("reports an enum missing from the model", () => {
    const findings = compareWithBtf(modelOf(OTHER_MODEL_ENUMS), btfOf([["bpf_cmd", "enum", MATCHING], ...OTHER_DELEGATE_ENUMS]));

    expect(findings.map((found) => found.message)).toEqual([
      "enum bpf_cmd is missing from the model of bpf.h - generate the model from a bpf.h that declares it",
    ]);
  });

  it("compares duplicates with the first", () => {
    const model = modelOf({ bpf_cmd: MATCHING, ...OTHER_MODEL_ENUMS });
    const btf = btfOf([["bpf_cmd", "enum", MATCHING], ...OTHER_DELEGATE_ENUMS, ["bpf_cmd", "enum", [["B", 1n]]]]);

    expect(compareWithBtf(model, btf).map((found) => found.message)).toEqual([
      "enum bpf_cmd occurs 2 times in vmlinux.btf (type ids 1, 5) - the other findings for it compare with type id 1, the first",
    ]);
  });
});

const sharedHeaders = sharedHeadersDir();
const btfDumpDir = sharedHeaders === null ? null : path.join(sharedHeaders, "linux-6.18.44-btf");
const btfDumpSkipReason =
  btfDumpDir === null || !existsSync(path.join(btfDumpDir, "vmlinux.btf"))
    ? "vmlinux.btf of Linux 6.18.44 not found: set BPF_UAPI_SHARED_HEADERS to the shared headers folder"
    : null;
const ccSkipReason = spawnSync("cc", ["--version"], { stdio: "ignore" }).error === undefined ? null : "C compiler `cc` not found on PATH (install gcc)";
if (btfDumpSkipReason !== null) console.warn(`skipping the 6.18.44 BTF tests: ${btfDumpSkipReason}`);
if (ccSkipReason !== null) console.warn(`skipping the vmlinux.h compiler check: ${ccSkipReason}`);

/**
 * Compiles and runs a C program that includes `header` and prints every
 * enumerator of `enums` with printf. Returns the (name, value) pairs per enum
 * tag in the order printed.
 */
function compilerValues(header: string, enums: readonly BtfEnum[]): Map<string, [string, bigint][]> {
  const lines = enums.flatMap((found) => found.members.map((member) => `  PRINT("${found.name}", ${member.name});`));
  const program = [
    `#include "${header}"`,
    "int printf(const char *format, ...);",
    '#define PRINT(tag, name) do { if ((name) < 0) printf("%s %s %lld\\n", tag, #name, (long long)(name)); \\',
    '  else printf("%s %s %llu\\n", tag, #name, (unsigned long long)(name)); } while (0)',
    "int main(void) {",
    ...lines,
    "  return 0;",
    "}",
  ].join("\n");

  const dir = mkdtempSync(path.join(os.tmpdir(), "bpf-uapi-btf-"));
  try {
    writeFileSync(path.join(dir, "enums.c"), program);
    // The clang-only pragma in bpftool's vmlinux.h is switched off for gcc.
    execFileSync("cc", ["-DBPF_NO_PRESERVE_ACCESS_INDEX", "-o", path.join(dir, "enums"), path.join(dir, "enums.c")], { stdio: "pipe" });
    const output = execFileSync(path.join(dir, "enums"), { encoding: "utf8" });

    const values = new Map<string, [string, bigint][]>();
    for (const row of output.trim().split("\n")) {
      const [tag = "", name = "", value = ""] = row.split(" ");
      values.set(tag, [...(values.get(tag) ?? []), [name, BigInt(value)]]);
    }
    return values;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns the enumerator names of `enum tag { ... };` in the C text, in declaration order. */
function declaredEnumerators(cText: string, tag: string): string[] {
  const start = cText.indexOf(`\nenum ${tag} {\n`);
  const end = cText.indexOf("\n};", start);
  expect(start, `enum ${tag} not found in vmlinux.h`).toBeGreaterThanOrEqual(0);
  return [...cText.slice(start, end).matchAll(/^\s+([A-Za-z_]\w*)\s*=/gm)].map((match) => match[1] ?? "");
}

function pairs(found: BtfEnum): [string, bigint][] {
  return found.members.map((member) => [member.name, member.value]);
}

describe.skipIf(btfDumpSkipReason !== null)("readBtf on the Linux 6.18.44 BTF", () => {
  const dir = btfDumpDir ?? "";
  const btfFile = path.join(dir, "vmlinux.btf");
  // Read on first use, so a reader error fails the tests instead of their collection.
  let btf: BtfEnums | undefined;
  const found = (tag: string): BtfEnum[] => {
    btf ??= readBtf(readFileSync(btfFile), btfFile);
    return [...btfEnumsByName(btf, tag)];
  };

  it("finds each enum once", () => {
    for (const tag of FIVE_ENUMS) {
      expect(found(tag).map((candidate) => candidate.kind), tag).toEqual(["enum"]);
    }
  });

  it("matches vmlinux.h enumerator names", () => {
    const cText = readFileSync(path.join(dir, "vmlinux.h"), "utf8");
    for (const tag of FIVE_ENUMS) {
      const names = found(tag).flatMap((candidate) => candidate.members.map((member) => member.name));
      expect(names, tag).toEqual(declaredEnumerators(cText, tag));
    }
  });

  it.skipIf(ccSkipReason !== null)("matches values from cc", () => {
    const enums = FIVE_ENUMS.map((tag) => found(tag)[0] as BtfEnum);
    const values = compilerValues(path.join(dir, "vmlinux.h"), enums);

    for (const btfEnum of enums) {
      expect(values.get(btfEnum.name), btfEnum.name).toEqual(pairs(btfEnum));
    }
  });

  it("reads the bpf_cmd values", () => {
    const cmd = new Map(pairs(found("bpf_cmd")[0] as BtfEnum));

    expect(cmd.get("BPF_MAP_CREATE")).toBe(0n);
    expect(cmd.get("BPF_PROG_RUN")).toBe(10n);
    expect(cmd.get("BPF_TOKEN_CREATE")).toBe(36n);
    expect(cmd.get("__MAX_BPF_CMD")).toBe(38n);
  });
});

const RUNNING_KERNEL_BTF = "/sys/kernel/btf/vmlinux";
const [kernelMajor = 0, kernelMinor = 0] = os.release().split(/[.-]/).map(Number);
const runningKernelSkipReason = !existsSync(RUNNING_KERNEL_BTF)
  ? `${RUNNING_KERNEL_BTF} not found (kernel built without CONFIG_DEBUG_INFO_BTF)`
  : kernelMajor * 1000 + kernelMinor < 6009
    ? `running kernel ${os.release()} is older than 6.9, which added BPF_TOKEN_CREATE`
    : null;
if (runningKernelSkipReason !== null) console.warn(`skipping the running kernel BTF test: ${runningKernelSkipReason}`);

describe.skipIf(runningKernelSkipReason !== null)("readBtf on the running kernel", () => {
  it("finds the delegate enums", () => {
    const btf = readBtf(readFileSync(RUNNING_KERNEL_BTF), RUNNING_KERNEL_BTF);
    for (const tag of FIVE_ENUMS) {
      expect(btfEnumsByName(btf, tag).length, tag).toBeGreaterThan(0);
    }

    const cmd = new Map(pairs(btfEnumsByName(btf, "bpf_cmd")[0] as BtfEnum));
    expect(cmd.get("BPF_MAP_CREATE")).toBe(0n);
    expect(cmd.get("BPF_TOKEN_CREATE")).toBe(36n);
  });
});
