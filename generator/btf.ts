/**
 * A reader for raw BTF, the type format the kernel exports at
 * /sys/kernel/btf/vmlinux, that keeps only the named enums (btf-compare.ts
 * checks a header model against them). The kernel resolves delegate option
 * names from its own BTF, so the BTF is the ground truth for what a kernel
 * accepts.
 *
 * Layout of raw BTF (every integer in the byte order that the magic shows):
 * - header, at least 24 bytes: u16 magic 0xeB9F, u8 version (1), u8 flags,
 *   then u32 hdr_len, type_off, type_len, str_off, str_len. Both section
 *   offsets count from the end of the header, that is from hdr_len.
 * - type section: records of a 12-byte common part, then data that depends on
 *   the kind. The common part is u32 name_off, u32 info and u32 size or type
 *   id. Info has vlen in bits 0-15, kind in bits 24-28 and kind_flag in bit
 *   31. The first record is type id 1, because id 0 is void and has no record.
 * - string section: NUL-terminated names, addressed by byte offset. Offset 0
 *   is the empty name of anonymous types.
 */

/** One enumerator as BTF records it. */
export interface BtfEnumerator {
  readonly name: string;
  readonly value: bigint;
}

/** A named BTF_KIND_ENUM or BTF_KIND_ENUM64 type. */
export interface BtfEnum {
  readonly typeId: number;
  readonly name: string;
  readonly kind: "enum" | "enum64";
  /** The kind_flag bit: values are signed when set and unsigned otherwise. */
  readonly signed: boolean;
  /** Size of the C type in bytes. */
  readonly size: number;
  readonly members: readonly BtfEnumerator[];
}

/** The named enums of one BTF file. */
export interface BtfEnums {
  /** Path as given by the caller, used in messages. */
  readonly file: string;
  readonly byteOrder: "little" | "big";
  /** Number of type records, so the highest type id. */
  readonly typeCount: number;
  /** Named enums in type id order. Anonymous enums are left out. */
  readonly enums: readonly BtfEnum[];
}

/** Invalid or unsupported BTF input. The message names the file and the byte offset. */
export class BtfError extends Error {
  constructor(readonly file: string, readonly offset: number, detail: string) {
    super(`${file}: offset 0x${offset.toString(16)}: ${detail}`);
    this.name = "BtfError";
  }
}

const BTF_MAGIC = 0xeb9f;
const HEADER_SIZE = 24;
const TYPE_RECORD_SIZE = 12;
const KIND_ENUM = 6;
const KIND_ENUM64 = 19;

/**
 * Bytes that follow the common part of a record, by kind number: a fixed part
 * plus a part per vlen item. Kinds 1 (INT) to 19 (ENUM64) are the kinds this
 * reader knows, and the Linux 6.18 vmlinux BTF uses no other.
 */
const TRAILING_DATA: ReadonlyMap<number, { readonly fixed: number; readonly perItem: number }> = new Map([
  [1, { fixed: 4, perItem: 0 }], // INT: u32 encoding, offset and bits
  [2, { fixed: 0, perItem: 0 }], // PTR
  [3, { fixed: 12, perItem: 0 }], // ARRAY: element type, index type, count
  [4, { fixed: 0, perItem: 12 }], // STRUCT: name, type, bit offset per member
  [5, { fixed: 0, perItem: 12 }], // UNION: as STRUCT
  [KIND_ENUM, { fixed: 0, perItem: 8 }], // ENUM: name, 32-bit value
  [7, { fixed: 0, perItem: 0 }], // FWD
  [8, { fixed: 0, perItem: 0 }], // TYPEDEF
  [9, { fixed: 0, perItem: 0 }], // VOLATILE
  [10, { fixed: 0, perItem: 0 }], // CONST
  [11, { fixed: 0, perItem: 0 }], // RESTRICT
  [12, { fixed: 0, perItem: 0 }], // FUNC
  [13, { fixed: 0, perItem: 8 }], // FUNC_PROTO: name, type per parameter
  [14, { fixed: 4, perItem: 0 }], // VAR: u32 linkage
  [15, { fixed: 0, perItem: 12 }], // DATASEC: type, offset, size per variable
  [16, { fixed: 0, perItem: 0 }], // FLOAT
  [17, { fixed: 4, perItem: 0 }], // DECL_TAG: s32 component index
  [18, { fixed: 0, perItem: 0 }], // TYPE_TAG
  [KIND_ENUM64, { fixed: 0, perItem: 12 }], // ENUM64: name, low and high 32 bits
]);

const utf8 = new TextDecoder();

/** A view of one BTF file with bounds-checked reads that throw BtfError. */
class BtfInput {
  readonly view: DataView;
  littleEndian = true;
  stringStart = 0;
  stringEnd = 0;

  constructor(readonly bytes: Uint8Array, readonly file: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(offset: number, detail: string): never {
    throw new BtfError(this.file, offset, detail);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, this.littleEndian);
  }

  /** Decodes the NUL-terminated name at `nameOffset` in the string section. */
  name(nameOffset: number, fieldOffset: number, owner: string): string {
    const start = this.stringStart + nameOffset;
    if (nameOffset >= this.stringEnd - this.stringStart) {
      const sectionSize = this.stringEnd - this.stringStart;
      const detail =
        `name offset 0x${nameOffset.toString(16)} of ${owner} is past the end of the 0x${sectionSize.toString(16)}-byte ` +
        `string section - the file is corrupt, or is split BTF of a kernel module, which this reader does not support`;
      this.fail(fieldOffset, detail);
    }
    const end = this.bytes.indexOf(0, start);
    if (end < 0 || end >= this.stringEnd) {
      this.fail(fieldOffset, `name of ${owner} has no terminating NUL in the string section - the file is corrupt`);
    }
    return utf8.decode(this.bytes.subarray(start, end));
  }
}

/**
 * Parses raw BTF and returns its named enums. Every record is walked so that
 * a kind this reader does not know stops it with an error instead of
 * misreading the records after it.
 * @throws BtfError on a short file, a wrong magic or version, a section or
 *   record out of bounds, an unknown kind or a name offset out of range
 */
export function readBtf(bytes: Uint8Array, file: string): BtfEnums {
  const input: BtfInput = new BtfInput(bytes, file);
  const typeSection = readHeader(input);

  const enums: BtfEnum[] = [];
  let offset = typeSection.start;
  let typeId = 0;
  while (offset < typeSection.end) {
    typeId += 1;
    if (offset + TYPE_RECORD_SIZE > typeSection.end) {
      input.fail(offset, `type ${typeId} is cut off by the end of the type section - the file is truncated`);
    }
    const nameOffset = input.u32(offset);
    const info = input.u32(offset + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const trailing = TRAILING_DATA.get(kind);
    if (trailing === undefined) {
      const detail = `unknown BTF kind ${kind} in type ${typeId} - the file is not raw BTF or is from a newer kernel`;
      input.fail(offset + 4, detail);
    }
    const recordEnd = offset + TYPE_RECORD_SIZE + trailing.fixed + trailing.perItem * vlen;
    if (recordEnd > typeSection.end) {
      input.fail(offset, `type ${typeId} (kind ${kind}) runs past the end of the type section - the file is truncated`);
    }

    // Every name is checked, but only enum names are decoded.
    const name = nameOffset === 0 ? "" : input.name(nameOffset, offset, `type ${typeId}`);
    if ((kind === KIND_ENUM || kind === KIND_ENUM64) && name !== "") {
      enums.push(readEnum(input, offset, typeId, name));
    }
    offset = recordEnd;
  }

  return { file, byteOrder: input.littleEndian ? "little" : "big", typeCount: typeId, enums };
}

/** Checks the header, sets the byte order and string bounds, and returns the type section bounds. */
function readHeader(input: BtfInput): { start: number; end: number } {
  const size = input.bytes.byteLength;
  if (size < HEADER_SIZE) {
    const detail = `file ends after ${size} bytes, inside the ${HEADER_SIZE}-byte BTF header`;
    input.fail(size, `${detail} - the file is truncated or not raw BTF`);
  }

  const magic = input.view.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    input.littleEndian = false;
    if (input.view.getUint16(0, false) !== BTF_MAGIC) {
      const detail = `invalid BTF magic 0x${magic.toString(16)}, expected 0xeb9f in either byte order`;
      input.fail(0, `${detail} - the file is not raw BTF (an ELF object keeps BTF in its .BTF section)`);
    }
  }
  const version = input.view.getUint8(2);
  if (version !== 1) {
    input.fail(2, `unsupported BTF version ${version}, expected 1 - the file is not raw BTF or uses a newer BTF format`);
  }

  // A longer header comes from a newer format. Its extra fields describe
  // sections this reader does not use, so only the first 24 bytes are read.
  const headerLength = input.u32(4);
  if (headerLength < HEADER_SIZE || headerLength > size) {
    const detail = `invalid BTF header length ${headerLength}, expected ${HEADER_SIZE} to ${size} (the file size)`;
    input.fail(4, `${detail} - the file is truncated or corrupt`);
  }
  const types = sectionBounds(input, 8, headerLength, "type");
  const strings = sectionBounds(input, 16, headerLength, "string");
  input.stringStart = strings.start;
  input.stringEnd = strings.end;
  return types;
}

function sectionBounds(input: BtfInput, fieldOffset: number, base: number, section: string): { start: number; end: number } {
  const start = base + input.u32(fieldOffset);
  const end = start + input.u32(fieldOffset + 4);
  if (end > input.bytes.byteLength) {
    const detail =
      `${section} section 0x${start.toString(16)}-0x${end.toString(16)} ends past the end of the ` +
      `0x${input.bytes.byteLength.toString(16)}-byte file`;
    input.fail(fieldOffset, `${detail} - the file is truncated`);
  }
  return { start, end };
}

// NOTE: BTF older than the ENUM64 kind (Linux 6.0) never sets kind_flag on
// an enum, so a negative value there reads as a large unsigned one.
function readEnum(input: BtfInput, offset: number, typeId: number, name: string): BtfEnum {
  const info = input.u32(offset + 4);
  const is64 = ((info >>> 24) & 0x1f) === KIND_ENUM64;
  const signed = info >>> 31 === 1;
  const vlen = info & 0xffff;
  const itemSize = is64 ? 12 : 8;

  const members: BtfEnumerator[] = [];
  for (let i = 0; i < vlen; i++) {
    const item = offset + TYPE_RECORD_SIZE + i * itemSize;
    const memberName = input.name(input.u32(item), item, `enumerator ${i} of type ${typeId} (enum ${name})`);
    let value: bigint;
    if (is64) {
      const raw = (BigInt(input.u32(item + 8)) << 32n) | BigInt(input.u32(item + 4));
      value = signed ? BigInt.asIntN(64, raw) : raw;
    } else {
      value = BigInt(signed ? input.view.getInt32(item + 4, input.littleEndian) : input.u32(item + 4));
    }
    members.push({ name: memberName, value });
  }

  return { typeId, name, kind: is64 ? "enum64" : "enum", signed, size: input.u32(offset + 8), members };
}

/**
 * Returns every named enum called `name`, ENUM and ENUM64 alike, in type id
 * order, or an empty array. Most names occur once in a vmlinux BTF, but some
 * occur twice, so the caller picks one.
 */
export function btfEnumsByName(btf: BtfEnums, name: string): readonly BtfEnum[] {
  return btf.enums.filter((candidate) => candidate.name === name);
}
