/**
 * The model stage: classify each extracted enumerator (member, alias,
 * sentinel, out of domain) and compute each enum's "any" mask.
 */
import { ENUM_SPECS, MASK_BITS, type EnumSpec } from "../src/enums.js";
import { GeneratorError, GeneratorErrors } from "./errors.js";
import type { EnumModel, HeaderSource, MemberModel, UapiModel } from "./model.js";
import type { RawEnum, RawEnumerator } from "./walk.js";

const ALL_BITS = (1n << BigInt(MASK_BITS)) - 1n;

/**
 * Returns whether an enumerator is the sentinel that counts the members before it:
 * `__MAX_BPF_CMD` in current headers, `MAX_BPF_LINK_TYPE` in headers before
 * Linux 6.3.
 */
export function isSentinelName(name: string): boolean {
  return name.startsWith("__MAX_") || name.startsWith("MAX_");
}

function classifyMembers(enumerators: readonly RawEnumerator[]): MemberModel[] {
  const canonicalByValue = new Map<bigint, string>();
  let sentinelSeen = false;
  return enumerators.map((enumerator): MemberModel => {
    const base = { name: enumerator.name, value: enumerator.value, line: enumerator.line, column: enumerator.column };
    if (!sentinelSeen && isSentinelName(enumerator.name)) {
      sentinelSeen = true;
      return { ...base, classification: "sentinel" };
    }
    if (sentinelSeen || enumerator.value < 0n || enumerator.value >= BigInt(MASK_BITS)) {
      return { ...base, classification: "out-of-domain" };
    }
    const canonical = canonicalByValue.get(enumerator.value);
    if (canonical !== undefined) return { ...base, classification: "alias", aliasOf: canonical };
    canonicalByValue.set(enumerator.value, enumerator.name);
    return { ...base, classification: "member" };
  });
}

/**
 * Computes the bits the kernel prints as `any` when all are set: every bit
 * below the sentinel, or without a sentinel, the bits of the declared members.
 */
function anyMask(members: readonly MemberModel[], sentinel: MemberModel | null): bigint {
  if (sentinel !== null) {
    if (sentinel.value <= 0n) return 0n;
    if (sentinel.value >= BigInt(MASK_BITS)) return ALL_BITS;
    return (1n << sentinel.value) - 1n;
  }
  let mask = 0n;
  for (const member of members) {
    if (member.classification === "member") mask |= 1n << member.value;
  }
  return mask;
}

function enumModel(spec: EnumSpec, raw: RawEnum): EnumModel {
  const members = classifyMembers(raw.enumerators);
  const sentinel = members.find((member) => member.classification === "sentinel") ?? null;
  return { spec, line: raw.line, column: raw.column, members, sentinel, anyMask: anyMask(members, sentinel) };
}

/**
 * Builds the model of one header. A required enum that the header does not
 * define is an error located at line 1, since no line of the file is at fault.
 */
export function buildModel(kernel: string, source: HeaderSource, enums: ReadonlyMap<string, RawEnum>): UapiModel {
  const errors: GeneratorError[] = [];
  const models: EnumModel[] = [];
  for (const spec of ENUM_SPECS) {
    const raw = enums.get(spec.cName);
    if (raw !== undefined) {
      models.push(enumModel(spec, raw));
    } else if (spec.required) {
      errors.push(
        new GeneratorError(
          source.path,
          1,
          1,
          `enum ${spec.cName}: not found - the header must define it (is this include/uapi/linux/bpf.h?)`,
        ),
      );
    }
  }
  if (errors.length > 0) throw new GeneratorErrors(errors);
  return { kernel, source: { path: source.path, sha256: source.sha256 }, enums: models };
}
