/**
 * Reading a version's model back from its uapi.json, for versions whose
 * header is not at hand: the registry, the history and the BTF check use it.
 */
import { ENUM_SPECS } from "../src/enums.js";
import { UsageError } from "./errors.js";
import type { EnumModel, MemberClass, MemberModel, UapiModel } from "./model.js";

interface MemberJson {
  name: string;
  value: number | string;
  line: number;
  column: number;
  classification: MemberClass;
  aliasOf?: string;
}

interface EnumJson {
  line: number;
  column: number;
  sentinel: string | null;
  anyMask: string | null;
  members: MemberJson[];
}

interface UapiJson {
  kernel: string;
  source: { sha256: string };
  enums: Record<string, EnumJson>;
}

/** Parses a uapi.json written by this generator; `path` is for messages. */
export function modelFromJson(text: string, path: string): UapiModel {
  let document: UapiJson;
  try {
    document = JSON.parse(text) as UapiJson;
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}) - regenerate it`);
  }
  if (typeof document.kernel !== "string" || typeof document.enums !== "object") {
    throw new UsageError(`${path} is not a bpf-uapi model - regenerate it`);
  }
  const enums: EnumModel[] = [];
  for (const spec of ENUM_SPECS) {
    const entry = document.enums[spec.cName];
    if (entry === undefined) continue;
    const members: MemberModel[] = entry.members.map((member) => ({ ...member, value: BigInt(member.value) }));
    const sentinel = members.find((member) => member.name === entry.sentinel) ?? null;
    enums.push({ spec, line: entry.line, column: entry.column, members, sentinel, anyMask: BigInt(entry.anyMask ?? 0) });
  }
  return { kernel: document.kernel, source: { path, sha256: document.source.sha256 }, enums };
}
