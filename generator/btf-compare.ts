/**
 * The check behind `npm run check -- --btf FILE`: a header model's delegate
 * enums against the enums of a kernel's raw BTF.
 */
import { ENUM_SPECS } from "../src/enums.js";
import { btfEnumsByName, type BtfEnum, type BtfEnums } from "./btf.js";
import type { EnumModel, UapiModel } from "./model.js";

/** Kind of disagreement between a header model and a BTF file about one delegate enum. */
export type BtfFindingKind = "missing-from-model" | "missing-from-btf" | "value-mismatch"
  | "enum-missing-from-model" | "enum-missing-from-btf" | "enum-duplicated";

/** One disagreement, as `npm run check -- --btf FILE` prints it. */
export interface BtfFinding {
  readonly kind: BtfFindingKind;
  /** C tag of the enum: `bpf_cmd`. */
  readonly enum: string;
  /** The enumerator, or null for a finding about the whole enum. */
  readonly name: string | null;
  readonly modelValue: bigint | null;
  readonly btfValue: bigint | null;
  /** One line: subject first, the remedy after " - ". */
  readonly message: string;
}

/**
 * Compares the enums of the four delegate options in `model` with `btf` and
 * returns every enumerator that is missing on one side or valued differently,
 * model order first, then names only the BTF has, in BTF order.
 *
 * The kernel looks these enums up as BTF_KIND_ENUM only (kernel/bpf/inode.c
 * since 6.9), so an ENUM64 of the same name counts as missing. When a name
 * occurs more than once, the first ENUM by type id is compared and an
 * `enum-duplicated` finding lists the type ids.
 */
export function compareWithBtf(model: UapiModel, btf: BtfEnums): BtfFinding[] {
  const header = model.source.path;
  const findings: BtfFinding[] = [];
  for (const spec of ENUM_SPECS) {
    if (spec.option === null) continue;
    const cName = spec.cName;
    const candidates = btfEnumsByName(btf, cName).filter((candidate) => candidate.kind === "enum");
    const enumModel = model.enums.find((candidate) => candidate.spec.cName === cName);

    const kernelEnum = candidates[0];
    if (kernelEnum === undefined) {
      const only64 = btfEnumsByName(btf, cName).length > 0 ? " as ENUM, the only kind the kernel searches" : "";
      const message =
        `enum ${cName} is missing from ${btf.file}${only64} - a kernel with this BTF rejects every ` +
        `${spec.option} name, so check that the file is the vmlinux BTF of Linux 6.9 or later`;
      findings.push(finding("enum-missing-from-btf", cName, null, null, null, message));
      continue;
    }
    if (enumModel === undefined) {
      const message = `enum ${cName} is missing from the model of ${header} - generate the model from a bpf.h that declares it`;
      findings.push(finding("enum-missing-from-model", cName, null, null, null, message));
      continue;
    }
    if (candidates.length > 1) {
      const ids = candidates.map((candidate) => candidate.typeId).join(", ");
      const message =
        `enum ${cName} occurs ${candidates.length} times in ${btf.file} (type ids ${ids}) - ` +
        `the other findings for it compare with type id ${kernelEnum.typeId}, the first`;
      findings.push(finding("enum-duplicated", cName, null, null, null, message));
    }
    findings.push(...compareMembers(enumModel, kernelEnum, header, btf.file));
  }
  return findings;
}

function compareMembers(enumModel: EnumModel, kernelEnum: BtfEnum, header: string, btfFile: string): BtfFinding[] {
  const cName = kernelEnum.name;
  const btfValues = new Map(kernelEnum.members.map((member) => [member.name, member.value]));
  const modelNames = new Set(enumModel.members.map((member) => member.name));
  const regenerate = "so generate the tables from the bpf.h of the kernel that produced the BTF";
  const findings: BtfFinding[] = [];

  for (const { name, value } of enumModel.members) {
    const btfValue = btfValues.get(name);
    if (btfValue === undefined) {
      const message =
        `enum ${cName}: ${name} = ${value} is in ${header} but missing from ${btfFile} - ` +
        `a kernel with this BTF rejects the name, ${regenerate} or target a newer kernel`;
      findings.push(finding("missing-from-btf", cName, name, value, null, message));
    } else if (btfValue !== value) {
      const message =
        `enum ${cName}: ${name} is ${value} in ${header} but ${btfValue} in ${btfFile} - ` +
        `the kernel uses the BTF value, ${regenerate}`;
      findings.push(finding("value-mismatch", cName, name, value, btfValue, message));
    }
  }

  for (const { name, value } of kernelEnum.members) {
    if (modelNames.has(name)) continue;
    const message =
      `enum ${cName}: ${name} = ${value} is in ${btfFile} but missing from ${header} - ` +
      `the kernel accepts a name the tables lack, ${regenerate}`;
    findings.push(finding("missing-from-model", cName, name, null, value, message));
  }
  return findings;
}

function finding(
  kind: BtfFindingKind,
  cName: string,
  name: string | null,
  modelValue: bigint | null,
  btfValue: bigint | null,
  message: string,
): BtfFinding {
  return { kind, enum: cName, name, modelValue, btfValue, message };
}
