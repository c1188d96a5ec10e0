/**
 * The JSON model written as uapi.json beside each version's TypeScript, for
 * tools in other languages. Values are JSON numbers when they are safe
 * integers and decimal strings otherwise.
 */
import type { NameHistory } from "./history.js";
import type { MemberModel, UapiModel } from "./model.js";
import { INPUT_LICENCE, inputName, regenerateCommand } from "./provenance.js";

function jsonValue(value: bigint): number | string {
  const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
  return safe ? Number(value) : value.toString();
}

function memberJson(member: MemberModel) {
  return {
    name: member.name,
    value: jsonValue(member.value),
    line: member.line,
    column: member.column,
    classification: member.classification,
    ...(member.aliasOf === undefined ? {} : { aliasOf: member.aliasOf }),
  };
}

/** Renders the JSON model of one header, with a trailing newline. */
export function renderJson(model: UapiModel): string {
  const enums: Record<string, unknown> = {};
  for (const enumModel of model.enums) {
    enums[enumModel.spec.cName] = {
      typeScriptName: enumModel.spec.tsName,
      option: enumModel.spec.option,
      prefix: enumModel.spec.prefix,
      line: enumModel.line,
      column: enumModel.column,
      sentinel: enumModel.sentinel?.name ?? null,
      anyMask: enumModel.spec.option === null ? null : `0x${enumModel.anyMask.toString(16)}`,
      members: enumModel.members.map(memberJson),
    };
  }
  const document = {
    generated: `by bpf-uapi from the bpf.h enums in ${inputName(model.source.path)}; do not edit; regenerate with: ${regenerateCommand(model.kernel)}`,
    kernel: model.kernel,
    source: { sha256: model.source.sha256, licence: INPUT_LICENCE },
    enums,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Renders history.json: for each enum, the first and last version of each enumerator and its value. */
export function renderHistoryJson(kernels: readonly string[], history: readonly NameHistory[]): string {
  const enums: Record<string, Record<string, unknown>> = {};
  for (const entry of history) {
    const names = (enums[entry.enumName] ??= Object.create(null) as Record<string, unknown>);
    names[entry.name] = { first: entry.first, last: entry.last, value: jsonValue(entry.value), classification: entry.classification };
  }
  const document = {
    generated: "by bpf-uapi from the bpf.h enums of each kernel version; do not edit; regenerate with: npm run generate",
    kernels,
    licence: INPUT_LICENCE,
    enums,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
