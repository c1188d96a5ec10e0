/**
 * Tests of the two referees that other tests trust: the C compiler for enum
 * values and the running kernel for bpffs delegation options. Every pinned
 * value below was first observed with the referee itself, with gcc 12.2 and
 * binutils 2.40 (Debian 12) and on Linux 6.18.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ccSkipReason, compilerEnumerators, compilerValues, EnumNotDefinedError } from "./support/cc.js";
import type { CompilerEnumerator } from "./support/cc.js";
import { kernelSkipReason, mountBpffs, sweepBpffsMounts } from "./support/kernel.js";
import { listSharedHeaders, SHARED_HEADERS_ENV, sharedHeadersDir, sharedHeadersSkipReason, warnSkip, WITHOUT_LINK_TYPE } from "./support/shared.js";

const SYSTEM_BPF_H = "/usr/include/linux/bpf.h";
const ENUM_TAGS = ["bpf_cmd", "bpf_map_type", "bpf_prog_type", "bpf_attach_type", "bpf_link_type"];
const skipCc = warnSkip("C compiler referee tests", ccSkipReason());
const skipShared = warnSkip("shared header tests", sharedHeadersSkipReason());
const skipKernel = warnSkip("kernel referee tests", kernelSkipReason());

async function withTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-referees-test-"));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asserts that printf in a compiled program prints the same value as DWARF for every enumerator. */
async function expectPrintfAgrees(headerFile: string, enums: Map<string, CompilerEnumerator[]>): Promise<void> {
  const enumerators = [...enums.values()].flat();
  const printed = await compilerValues(headerFile, enumerators.map((enumerator) => enumerator.name));
  for (const { name, value } of enumerators) {
    expect(printed.get(name), `${name} in ${headerFile}`).toBe(value);
  }
}

describe("shared headers", () => {
  const savedEnv = process.env[SHARED_HEADERS_ENV];
  afterEach(() => {
    if (savedEnv === undefined) {
      delete process.env[SHARED_HEADERS_ENV];
    } else {
      process.env[SHARED_HEADERS_ENV] = savedEnv;
    }
  });

  it("env override lists only .h entries", async () => {
    await withTempDir(async (dir) => {
      const manifest = [
        { id: "release", file: "release/bpf.h", sha256: "aa", kernel: "6.1", bytes: 1 },
        { id: "snapshot", file: "snapshot/bpf.h", sha256: "bb", kernelAbout: "5.8", date: "2020-06-22" },
        { id: "btf", file: "btf/vmlinux.btf", sha256: "cc", kernel: "6.18" },
      ];
      await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest));
      process.env[SHARED_HEADERS_ENV] = dir;

      expect(sharedHeadersDir()).toBe(dir);
      expect(sharedHeadersSkipReason()).toBeNull();
      expect(listSharedHeaders()).toEqual([
        { id: "release", file: path.join(dir, "release/bpf.h"), sha256: "aa", kernel: "6.1" },
        { id: "snapshot", file: path.join(dir, "snapshot/bpf.h"), sha256: "bb", kernelAbout: "5.8", date: "2020-06-22" },
      ]);
    });
  });

  it("absent folder gives null and a reason", () => {
    process.env[SHARED_HEADERS_ENV] = path.join(os.tmpdir(), "bpf-uapi-no-such-folder");

    expect(sharedHeadersDir()).toBeNull();
    expect(listSharedHeaders()).toEqual([]);
    expect(sharedHeadersSkipReason()).toContain(SHARED_HEADERS_ENV);
  });

  it.skipIf(skipShared)("files match manifest sha256", async () => {
    const headers = listSharedHeaders();
    expect(headers.length).toBeGreaterThan(0);
    for (const header of headers) {
      const digest = createHash("sha256").update(await readFile(header.file)).digest("hex");
      expect(digest, header.file).toBe(header.sha256);
    }
  });
});

describe.skipIf(skipCc)("C compiler referee", () => {
  it("system bpf.h has the five enums", async () => {
    const enums = await compilerEnumerators(SYSTEM_BPF_H, ENUM_TAGS);

    expect([...enums.keys()]).toEqual(ENUM_TAGS);
    expect(enums.get("bpf_cmd")?.[0]).toEqual({ name: "BPF_MAP_CREATE", value: 0n });
    // Debian 12's linux-libc-dev 6.1 header.
    expect(enums.get("bpf_cmd")?.length).toBe(37);
    expect(enums.get("bpf_map_type")?.length).toBe(32);
    expect(enums.get("bpf_prog_type")?.length).toBe(32);
    expect(enums.get("bpf_attach_type")?.length).toBe(45);
    expect(enums.get("bpf_link_type")?.length).toBe(11);
    expect(enums.get("bpf_cmd")?.at(-1)).toEqual({ name: "BPF_PROG_BIND_MAP", value: 35n });
    expect(enums.get("bpf_attach_type")?.at(-1)).toEqual({ name: "__MAX_BPF_ATTACH_TYPE", value: 44n });

    await expectPrintfAgrees(SYSTEM_BPF_H, enums);
  });

  it.skipIf(skipShared)("every shared header has bpf_cmd", { timeout: 120_000 }, async () => {
    const headers = listSharedHeaders();
    expect(headers.length).toBeGreaterThan(0);

    for (const header of headers) {
      let tags = ENUM_TAGS;
      if (WITHOUT_LINK_TYPE.has(header.id)) {
        const missing = compilerEnumerators(header.file, ENUM_TAGS);
        await expect(missing, header.id).rejects.toThrow(EnumNotDefinedError);
        await expect(missing, header.id).rejects.toMatchObject({ missingTags: ["bpf_link_type"] });
        tags = ENUM_TAGS.filter((tag) => tag !== "bpf_link_type");
      }

      const enums = await compilerEnumerators(header.file, tags);
      expect([...enums.keys()], header.id).toEqual(tags);
      expect(enums.get("bpf_cmd")?.[0], header.id).toEqual({ name: "BPF_MAP_CREATE", value: 0n });
      for (const tag of tags) {
        expect(enums.get(tag)?.length, `${header.id} ${tag}`).toBeGreaterThan(0);
      }
      await expectPrintfAgrees(header.file, enums);
    }
  });

  it.skipIf(skipShared)("vmlinux.h has BPF_TOKEN_CREATE 36", async () => {
    const vmlinux = listSharedHeaders().find((header) => header.file.endsWith("/vmlinux.h"));
    expect(vmlinux, "a vmlinux.h entry in the shared headers manifest").toBeDefined();
    const file = vmlinux?.file ?? "";

    const commands = (await compilerEnumerators(file, ["bpf_cmd"])).get("bpf_cmd") ?? [];
    expect(commands.find((command) => command.name === "BPF_TOKEN_CREATE")).toEqual({
      name: "BPF_TOKEN_CREATE",
      value: 36n,
    });
    expect((await compilerValues(file, ["BPF_TOKEN_CREATE"])).get("BPF_TOKEN_CREATE")).toBe(36n);
  });

  it.skipIf(skipShared)("libbpf main has BPF_COMMON_ATTRS", async () => {
    // A flag-valued enumerator (1 << 16) after the dense command numbers.
    const snapshot = listSharedHeaders().find((header) => header.id === "libbpf-main-2026-07-30");
    expect(snapshot, "libbpf-main-2026-07-30 in the shared headers manifest").toBeDefined();

    const commands = (await compilerEnumerators(snapshot?.file ?? "", ["bpf_cmd"])).get("bpf_cmd") ?? [];
    expect(commands.at(-1)).toEqual({ name: "BPF_COMMON_ATTRS", value: 65536n });
  });

  it("signed and 64-bit values", async () => {
    await withTempDir(async (dir) => {
      const header = path.join(dir, "values.h");
      await writeFile(
        header,
        [
          "enum referee_u64 { U64_MAX = 0xffffffffffffffffULL, U64_HIGH = 0x8000000000000000ULL, U64_ONE = 1 };",
          "enum referee_s32 { S32_MIN = -2147483647 - 1, S32_MINUS_ONE = -1, S32_MAX = 2147483647 };",
          "enum referee_s64 { S64_MIN = -9223372036854775807LL - 1, S64_MAX = 9223372036854775807LL };",
          "enum referee_u32 { U32_MAX = 0xffffffffu, U32_BYTE = 255, U32_WORD = 65535, U32_BIG = 0x11170 };",
          "enum referee_implicit { IMPLICIT_A = 5, IMPLICIT_B, IMPLICIT_C = 2, IMPLICIT_D };",
          "",
        ].join("\n"),
      );
      const tags = ["referee_u64", "referee_s32", "referee_s64", "referee_u32", "referee_implicit"];
      const enums = await compilerEnumerators(header, tags);

      expect(enums.get("referee_u64")).toEqual([
        { name: "U64_MAX", value: 2n ** 64n - 1n },
        { name: "U64_HIGH", value: 2n ** 63n },
        { name: "U64_ONE", value: 1n },
      ]);
      expect(enums.get("referee_s32")).toEqual([
        { name: "S32_MIN", value: -(2n ** 31n) },
        { name: "S32_MINUS_ONE", value: -1n },
        { name: "S32_MAX", value: 2n ** 31n - 1n },
      ]);
      expect(enums.get("referee_s64")).toEqual([
        { name: "S64_MIN", value: -(2n ** 63n) },
        { name: "S64_MAX", value: 2n ** 63n - 1n },
      ]);
      expect(enums.get("referee_u32")).toEqual([
        { name: "U32_MAX", value: 2n ** 32n - 1n },
        { name: "U32_BYTE", value: 255n },
        { name: "U32_WORD", value: 65535n },
        { name: "U32_BIG", value: 0x11170n },
      ]);
      expect(enums.get("referee_implicit")?.map((enumerator) => enumerator.value)).toEqual([5n, 6n, 2n, 3n]);

      await expectPrintfAgrees(header, enums);
    });
  });

  it("defines reach the preprocessor", async () => {
    await withTempDir(async (dir) => {
      const header = path.join(dir, "conditional.h");
      await writeFile(header, "enum referee_cond { COND_A,\n#ifdef REFEREE_EXTRA\nCOND_EXTRA = REFEREE_EXTRA,\n#endif\nCOND_B };\n");

      const plain = await compilerEnumerators(header, ["referee_cond"]);
      const defined = await compilerEnumerators(header, ["referee_cond"], ["REFEREE_EXTRA=40"]);

      expect(plain.get("referee_cond")?.map((enumerator) => enumerator.name)).toEqual(["COND_A", "COND_B"]);
      expect(defined.get("referee_cond")).toEqual([
        { name: "COND_A", value: 0n },
        { name: "COND_EXTRA", value: 40n },
        { name: "COND_B", value: 41n },
      ]);
    });
  });

  it("undefined tag raises EnumNotDefinedError", async () => {
    const result = compilerEnumerators(SYSTEM_BPF_H, ["bpf_cmd", "bpf_no_such_enum"]);

    await expect(result).rejects.toThrow(EnumNotDefinedError);
    await expect(result).rejects.toThrow(`${SYSTEM_BPF_H} does not define enum bpf_no_such_enum`);
  });

  it("invalid input raises a clear error", async () => {
    await expect(compilerEnumerators(SYSTEM_BPF_H, ["bpf_cmd; int x"])).rejects.toThrow("invalid enum tag");
    await expect(compilerEnumerators("/nonexistent/bpf.h", ["bpf_cmd"])).rejects.toThrow("header not found");
    await expect(compilerValues(SYSTEM_BPF_H, ["BPF_NO_SUCH_CONSTANT"])).rejects.toThrow("cc failed to compile");
  });
});

describe.skipIf(skipKernel)("kernel referee", () => {
  afterAll(async () => {
    await sweepBpffsMounts();
  });

  it("prints delegate options back", async () => {
    const result = await mountBpffs("delegate_cmds=map_create:prog_load,delegate_progs=kprobe");

    expect(result).toEqual({
      ok: true,
      options: "rw,relatime,delegate_cmds=map_create:prog_load,delegate_progs=kprobe",
      delegate: "delegate_cmds=map_create:prog_load,delegate_progs=kprobe",
    });
  });

  it("rejects ANY with EINVAL", async () => {
    // The kernel matches "any" case-sensitively but enumerator names
    // case-insensitively, as the MAP_CREATE test below shows.
    const result = await mountBpffs("delegate_cmds=ANY");

    expect(result).toEqual({ ok: false, errno: "EINVAL", message: "Invalid argument" });
  });

  it("rejects a 65-bit mask with ERANGE", async () => {
    const result = await mountBpffs("delegate_cmds=0x10000000000000000");

    expect(result).toEqual({ ok: false, errno: "ERANGE", message: "Numerical result out of range" });
  });

  it("matches names case-insensitively", async () => {
    const result = await mountBpffs("delegate_cmds=MAP_CREATE");

    expect(result).toEqual({ ok: true, options: "rw,relatime,delegate_cmds=map_create", delegate: "delegate_cmds=map_create" });
  });

  it("comma ends the option value", async () => {
    // The kernel splits at the comma and ignores the unknown option prog_load.
    const result = await mountBpffs("delegate_cmds=map_create,prog_load");

    expect(result).toEqual({ ok: true, options: "rw,relatime,delegate_cmds=map_create", delegate: "delegate_cmds=map_create" });
  });

  it("no options shows no delegate part", async () => {
    const result = await mountBpffs("");

    expect(result).toEqual({ ok: true, options: "rw,relatime", delegate: "" });
  });

  it("leaves no mount behind", async () => {
    await mountBpffs("delegate_cmds=any");

    expect(await sweepBpffsMounts()).toEqual([]);
  });
});
