/**
 * Extraction and classification checked against the C compiler on every real
 * header: each shared bpf.h snapshot, the 6.18 vmlinux.h and the system's
 * linux/bpf.h. The compiler reads the enumerators back from DWARF, so the
 * expected values never pass through this project's parser.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ENUM_SPECS, MASK_BITS } from "../src/enums.js";
import { modelVersion } from "../generator/generate.js";
import type { EnumModel, MemberModel, UapiModel } from "../generator/model.js";
import { ccSkipReason, compilerEnumerators, EnumNotDefinedError, type CompilerEnumerator } from "./support/cc.js";
import { listSharedHeaders, sharedHeadersSkipReason, warnSkip, WITHOUT_LINK_TYPE } from "./support/shared.js";

const SYSTEM_BPF_H = "/usr/include/linux/bpf.h";
const ENUM_TAGS = ENUM_SPECS.map((spec) => spec.cName);
const LINK_TYPE = "bpf_link_type";

const skipCc = warnSkip("extraction tests against the C compiler", ccSkipReason());
const skipShared = warnSkip("extraction tests on the shared headers", sharedHeadersSkipReason());

interface HeaderCase {
  readonly id: string;
  readonly file: string;
  readonly kernel: string;
  readonly shared: boolean;
}

const HEADERS: readonly HeaderCase[] = [
  ...listSharedHeaders().map((header) => ({
    id: header.id,
    file: header.file,
    kernel: header.kernel ?? header.kernelAbout ?? "next",
    shared: true,
  })),
  { id: "system", file: SYSTEM_BPF_H, kernel: "6.1", shared: false },
];

function expectedTags(id: string): string[] {
  return WITHOUT_LINK_TYPE.has(id) ? ENUM_TAGS.filter((tag) => tag !== LINK_TYPE) : ENUM_TAGS;
}

function findEnum(model: UapiModel, tag: string): EnumModel | undefined {
  return model.enums.find((enumModel) => enumModel.spec.cName === tag);
}

function findMember(model: UapiModel, name: string): MemberModel | undefined {
  return model.enums.flatMap((enumModel) => enumModel.members).find((member) => member.name === name);
}

function nameAndValue(enumModel: EnumModel | undefined): CompilerEnumerator[] | undefined {
  return enumModel?.members.map((member) => ({ name: member.name, value: member.value }));
}

/**
 * Computes the `any` mask the kernel uses from the compiler's enumerators.
 * The sentinel is the first `__MAX_*` enumerator (`MAX_*` for
 * bpf_link_type before Linux 6.3) and counts the bits below it. An enum
 * without one covers the bits of its enumerators valued 0 to 63.
 */
function expectedAnyMask(enumerators: readonly CompilerEnumerator[]): bigint {
  const sentinel = enumerators.find(({ name }) => name.startsWith("__MAX_") || name.startsWith("MAX_"));
  const bits = BigInt(MASK_BITS);
  if (sentinel !== undefined) {
    if (sentinel.value <= 0n) return 0n;
    const width = sentinel.value < bits ? sentinel.value : bits;
    return (1n << width) - 1n;
  }
  let mask = 0n;
  for (const { value } of enumerators) {
    if (value >= 0n && value < bits) mask |= 1n << value;
  }
  return mask;
}

describe.each(HEADERS)("extract $id", ({ id, file, kernel, shared }) => {
  const skip = skipCc || (shared && skipShared);
  const tags = expectedTags(id);
  let fast: UapiModel;
  let full: UapiModel;
  let compiler: Map<string, CompilerEnumerator[]>;

  beforeAll(async () => {
    if (skip) return;
    fast = await modelVersion({ kernel, headerPath: file });
    full = await modelVersion({ kernel, headerPath: file }, { fullParse: true });
    compiler = await compilerEnumerators(file, tags);
  });

  it.skipIf(skip)("fast path has the expected enums", () => {
    expect(fast.enums.map((enumModel) => enumModel.spec.cName)).toEqual(tags);
  });

  it.skipIf(skip)("fast path matches cc", () => {
    for (const tag of tags) {
      expect(nameAndValue(findEnum(fast, tag)), tag).toEqual(compiler.get(tag));
    }
  });

  it.skipIf(skip)("full parse matches cc", () => {
    for (const tag of tags) {
      expect(nameAndValue(findEnum(full, tag)), tag).toEqual(compiler.get(tag));
    }
  });

  it.skipIf(skip)("fast path equals full parse", () => {
    expect(fast).toEqual(full);
  });

  if (WITHOUT_LINK_TYPE.has(id)) {
    it.skipIf(skip)("bpf_link_type is absent", async () => {
      const result = compilerEnumerators(file, [LINK_TYPE]);

      await expect(result).rejects.toThrow(EnumNotDefinedError);
      expect(findEnum(fast, LINK_TYPE)).toBeUndefined();
      expect(findEnum(full, LINK_TYPE)).toBeUndefined();
    });
  }

  it.skipIf(skip)("any masks follow cc values", () => {
    for (const spec of ENUM_SPECS.filter((candidate) => candidate.option !== null)) {
      expect(findEnum(fast, spec.cName)?.anyMask, spec.cName).toBe(expectedAnyMask(compiler.get(spec.cName) ?? []));
    }
  });

  it.skipIf(skip)("sentinel is the first __MAX_ enumerator", () => {
    for (const tag of tags) {
      const sentinel = compiler.get(tag)?.find(({ name }) => name.startsWith("__MAX_") || name.startsWith("MAX_"));
      const actual = findEnum(fast, tag)?.sentinel ?? null;
      expect(actual === null ? null : { name: actual.name, value: actual.value }, tag).toEqual(sentinel ?? null);
    }
  });

  it.skipIf(skip)("BPF_PROG_RUN aliases BPF_PROG_TEST_RUN", () => {
    const declared = compiler.get("bpf_cmd")?.some(({ name }) => name === "BPF_PROG_RUN") ?? false;
    const member = findMember(fast, "BPF_PROG_RUN");

    if (!declared) {
      expect(member).toBeUndefined();
      return;
    }
    expect(member?.classification).toBe("alias");
    expect(member?.aliasOf).toBe("BPF_PROG_TEST_RUN");
  });

  it.skipIf(skip)("CGROUP_STORAGE aliases its _DEPRECATED name", () => {
    const maps = compiler.get("bpf_map_type") ?? [];
    const declared = maps.some(({ name }) => name === "BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED");
    const member = findMember(fast, "BPF_MAP_TYPE_CGROUP_STORAGE");

    if (!declared) {
      expect(member?.classification).toBe("member");
      return;
    }
    expect(member?.classification).toBe("alias");
    expect(member?.aliasOf).toBe("BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED");
  });
});

describe.skipIf(skipShared)("classify facts of real headers", () => {
  function sharedFile(id: string): string {
    const header = listSharedHeaders().find((candidate) => candidate.id === id);
    if (header === undefined) throw new Error(`${id} is not in the shared headers manifest`);
    return header.file;
  }

  it("BPF_COMMON_ATTRS is out of domain", async () => {
    const model = await modelVersion({ kernel: "next", headerPath: sharedFile("libbpf-main-2026-07-30") });
    const member = findMember(model, "BPF_COMMON_ATTRS");

    expect(member?.value).toBe(65536n);
    expect(member?.classification).toBe("out-of-domain");
  });

  it("BPF_PROG_RUN is present in 6.1 and main", async () => {
    for (const id of ["debian-linux-libc-dev-6.1.187", "libbpf-main-2026-07-30"]) {
      const model = await modelVersion({ kernel: "next", headerPath: sharedFile(id) });
      expect(findMember(model, "BPF_PROG_RUN")?.aliasOf, id).toBe("BPF_PROG_TEST_RUN");
    }
  });

  it("CGROUP_STORAGE alias is present in main", async () => {
    const model = await modelVersion({ kernel: "next", headerPath: sharedFile("libbpf-main-2026-07-30") });

    expect(findMember(model, "BPF_MAP_TYPE_CGROUP_STORAGE")?.aliasOf).toBe("BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED");
  });

  it.each([
    { tag: "bpf_cmd", want: null },
    { tag: "bpf_map_type", want: null },
    { tag: "bpf_prog_type", want: null },
    { tag: "bpf_attach_type", want: "__MAX_BPF_ATTACH_TYPE" },
    { tag: "bpf_link_type", want: "MAX_BPF_LINK_TYPE" },
  ])("Debian 6.1 $tag sentinel", async ({ tag, want }) => {
    const model = await modelVersion({ kernel: "6.1", headerPath: sharedFile("debian-linux-libc-dev-6.1.187") });

    expect(findEnum(model, tag)?.sentinel?.name ?? null).toBe(want);
  });
});
