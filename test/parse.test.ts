/**
 * Unit tests of the option parser. Expected masks and errno values were
 * observed on Linux 6.18 with `mount -t bpf -o OPTIONS nodev DIR` and the
 * options column of /proc/mounts; the live comparison lives elsewhere.
 */
import { describe, expect, it } from "vitest";

import { BpfUapiError, DelegationError } from "../src/errors.js";
import { resolveKernel } from "../src/kernel.js";
import { parse, type DelegateMasks, type ParseOptions } from "../src/parse.js";
import type { KernelTables } from "../src/tables.js";
import { DEFAULT_KERNEL } from "../generated/index.js";
import { SHIPPED_LIST, shippedSpan, UNSHIPPED_KERNEL } from "./support/shipped.js";

const ALL_BITS = (1n << 64n) - 1n;

/** Returns the first shipped version whose `key` table has `name`, from the shipped tables. */
function firstShipped(key: "cmds" | "maps" | "attachs", name: string): string {
  return shippedSpan(key, name)?.first ?? "no shipped version";
}

const ARENA_SPAN = shippedSpan("maps", "arena");
const NO_MASKS: DelegateMasks = { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n };

/** Returns the error `parse` throws for `input`, failing the test when it returns. */
function parseError(input: string, options?: ParseOptions): DelegationError {
  try {
    parse(input, options);
  } catch (error) {
    if (error instanceof DelegationError) return error;
    throw error;
  }
  throw new Error(`parse accepted ${JSON.stringify(input)}`);
}

/** Returns the 6.18 tables plus BPF_COMMON_ATTRS = 1 << 16 declared after the sentinel, as bpf-next has it. */
function tablesWithOutOfDomainName(): KernelTables {
  const base = resolveKernel("6.18");
  const commonAttrs = { name: "common_attrs", cName: "BPF_COMMON_ATTRS", bit: 0, outOfDomainValue: 65536n };
  return { ...base, kernel: "6.18-test", cmds: { ...base.cmds, names: [...base.cmds.names, commonAttrs] } };
}

describe("parse masks in kernel mode", () => {
  const cases: { given: string; want: Partial<DelegateMasks> }[] = [
    { given: "delegate_cmds=prog_load:0x3", want: { cmds: 0x3n } },
    { given: "delegate_cmds=0x3:prog_load", want: { cmds: 0x23n } },
    { given: "delegate_cmds=1:2", want: { cmds: 0x2n } },
    { given: "delegate_cmds=any:0", want: { cmds: 0n } },
    { given: "delegate_cmds=any", want: { cmds: ALL_BITS } },
    { given: "delegate_cmds=18446744073709551615", want: { cmds: ALL_BITS } },
    { given: "delegate_cmds=map_create,prog_load", want: { cmds: 0x1n } },
    { given: "delegate_cmds=map_create,delegate_cmds=prog_load", want: { cmds: 0x21n } },
    { given: "delegate_cmds=MAP_CREATE", want: { cmds: 0x1n } },
    { given: "delegate_cmds=Map_Create", want: { cmds: 0x1n } },
    { given: "delegate_cmds=prog_run", want: { cmds: 1n << 10n } },
    { given: "delegate_maps=cgroup_storage", want: { maps: 1n << 19n } },
    { given: "delegate_cmds=010", want: { cmds: 8n } },
    { given: "delegate_cmds=+0x10", want: { cmds: 16n } },
    { given: "delegate_cmds=0X10", want: { cmds: 16n } },
    { given: "delegate_cmds=1\n", want: { cmds: 1n } },
    { given: "delegate_cmds=0000000000000000000000000000000000001", want: { cmds: 1n } },
    { given: "delegate_cmds=0x00000000000000000000000000000001", want: { cmds: 1n } },
    { given: "delegate_progs=xdp:kprobe:0x7", want: { progs: 0x7n } },
    { given: "delegate_attachs=cgroup_inet_ingress:xdp:netkit_peer", want: { attachs: 1n | (1n << 37n) | (1n << 55n) } },
    { given: "DELEGATE_CMDS=any", want: {} },
    { given: "delegate_foo=1", want: {} },
    { given: ",,rw,,relatime,", want: {} },
    { given: "=foo", want: {} },
    { given: "ro=5,uid=0x10,gid=010,mode=77777", want: {} },
    {
      given: "rw,relatime,delegate_cmds=1,delegate_maps=hash,delegate_progs=0,delegate_attachs=any",
      want: { cmds: 1n, maps: 2n, attachs: ALL_BITS },
    },
  ];

  it.each(cases)("$given", ({ given, want }) => {
    expect(parse(given).masks).toEqual({ ...NO_MASKS, ...want });
  });
});

describe("parse rejections in kernel mode", () => {
  const cases: { given: string; want: { code: string; errno: "EINVAL" | "ERANGE"; position: number } }[] = [
    { given: "delegate_cmds=ANY", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=Any", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=0x10000000000000000", want: { code: "number-out-of-range", errno: "ERANGE", position: 15 } },
    { given: "delegate_cmds=18446744073709551616", want: { code: "number-out-of-range", errno: "ERANGE", position: 15 } },
    { given: "delegate_cmds=99999999999999999999x", want: { code: "number-out-of-range", errno: "ERANGE", position: 15 } },
    { given: "delegate_cmds=09", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=0x", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=0x1g", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=++1", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=-1", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds= 1", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=1 ", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=1\n\n", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=any\n", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=prog_load\n", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: 'delegate_cmds="1"', want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=1=2", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=__proto__", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=constructor", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=toString", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=hasOwnProperty", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=valueOf", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=map_\u212Areate", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=BPF_MAP_CREATE", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=__MAX_BPF_CMD", want: { code: "invalid-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=", want: { code: "missing-value", errno: "EINVAL", position: 1 } },
    { given: "rw,delegate_cmds", want: { code: "missing-value", errno: "EINVAL", position: 4 } },
    { given: "delegate_cmds=:1", want: { code: "empty-token", errno: "EINVAL", position: 15 } },
    { given: "delegate_cmds=1:", want: { code: "empty-token", errno: "EINVAL", position: 17 } },
    { given: "delegate_cmds=1::2", want: { code: "empty-token", errno: "EINVAL", position: 17 } },
    { given: "uid=4294967295", want: { code: "invalid-owner-value", errno: "EINVAL", position: 5 } },
    { given: "uid=4294967296", want: { code: "invalid-owner-value", errno: "EINVAL", position: 5 } },
    { given: "uid=-1", want: { code: "invalid-owner-value", errno: "EINVAL", position: 5 } },
    { given: "uid=", want: { code: "invalid-owner-value", errno: "EINVAL", position: 5 } },
    { given: "uid", want: { code: "invalid-owner-value", errno: "EINVAL", position: 1 } },
    { given: "gid=4294967295", want: { code: "invalid-owner-value", errno: "EINVAL", position: 5 } },
    { given: "mode=0x1ff", want: { code: "invalid-owner-value", errno: "EINVAL", position: 6 } },
    { given: "mode=8", want: { code: "invalid-owner-value", errno: "EINVAL", position: 6 } },
    { given: "mode=40000000000", want: { code: "invalid-owner-value", errno: "EINVAL", position: 6 } },
    { given: "source=x", want: { code: "source-option", errno: "EINVAL", position: 1 } },
  ];

  it.each(cases)("$given", ({ given, want }) => {
    const error = parseError(given);
    expect(error.code).toBe(want.code);
    expect(error.errno).toBe(want.errno);
    expect(error.position).toBe(want.position);
  });
});

describe("parse error messages", () => {
  const cases: { given: string; want: string }[] = [
    {
      given: "delegate_cmds=map_create:prog_lod",
      want: 'delegate_cmds: "prog_lod" at column 26 is not a command name or a number (EINVAL) - did you mean "prog_load"?',
    },
    {
      given: "delegate_cmds=ANY",
      want: 'delegate_cmds: "ANY" at column 15 is not a command name or a number (EINVAL) - write "any" in lower case, because the kernel compares it case-sensitively',
    },
    {
      given: "delegate_cmds=0x10000000000000000",
      want: 'delegate_cmds: "0x10000000000000000" at column 15 is larger than 2^64-1 (ERANGE) - use "any" to delegate every command',
    },
    {
      given: "delegate_cmds=09",
      want: 'delegate_cmds: "09" at column 15 is not a command name or a number (EINVAL) - a leading 0 makes the number octal, where 8 and 9 are not digits; drop the leading 0',
    },
    {
      given: "delegate_cmds=xdp",
      want: 'delegate_cmds: "xdp" at column 15 is not a command name or a number (EINVAL) - "xdp" is a name for delegate_progs and delegate_attachs, not delegate_cmds',
    },
    {
      given: "delegate_cmds=bpf_prog_load",
      want: 'delegate_cmds: "bpf_prog_load" at column 15 is not a command name or a number (EINVAL) - drop the BPF_ prefix and write "prog_load"',
    },
    {
      given: "delegate_cmds=map_\u212Areate",
      want: 'delegate_cmds: "map_\u212Areate" at column 15 is not a command name or a number (EINVAL) - the kernel folds only ASCII letters, so U+212A matches no name; did you mean "map_create"?',
    },
    {
      given: "delegate_cmds=prog_assoc_struct_ops",
      want: `delegate_cmds: "prog_assoc_struct_ops" at column 15 is not a command name or a number (EINVAL) - prog_assoc_struct_ops needs a newer kernel: the first shipped version that has it is ${firstShipped("cmds", "prog_assoc_struct_ops")}`,
    },
    {
      given: "delegate_cmds=1::2",
      want: 'delegate_cmds: empty name at column 17 (EINVAL) - remove the extra ":"',
    },
    {
      given: "delegate_cmds",
      want: 'delegate_cmds: option at column 1 has no value (EINVAL) - give names joined by ":", "any" or a number, as in delegate_cmds=any',
    },
    {
      given: "uid=4294967295",
      want: 'uid: "4294967295" at column 5 is not a user id from 0 to 4294967294 (EINVAL) - write it as in uid=1000',
    },
  ];

  it.each(cases)("$given", ({ given, want }) => {
    expect(parseError(given).message).toBe(want);
  });

  it("quotes a long token cut short", () => {
    const error = parseError(`delegate_cmds=${"x".repeat(100)}`);
    expect(error.token).toHaveLength(100);
    expect(error.message).toContain(`"${"x".repeat(48)}"... (100 characters)`);
  });
});

/** Returns the 6.18 tables relabelled `kernel`, without the names in `removed` of delegate_cmds and delegate_maps. */
function tablesWithout(kernel: string, removed: readonly string[]): KernelTables {
  const base = resolveKernel("6.18");
  const keep = (entry: { name: string }): boolean => !removed.includes(entry.name);
  return {
    ...base,
    kernel,
    cmds: { ...base.cmds, names: base.cmds.names.filter(keep) },
    maps: { ...base.maps, names: base.maps.names.filter(keep) },
  };
}

describe("parse errors from name history", () => {
  const cases: { given: string; options: ParseOptions; want: string }[] = [
    {
      given: "delegate_maps=INSN_ARRAY",
      options: { kernel: "6.18" },
      want: `delegate_maps: "INSN_ARRAY" at column 15 is not a map type name or a number (EINVAL) - insn_array needs a newer kernel: the first shipped version that has it is ${firstShipped("maps", "insn_array")}`,
    },
    {
      given: "delegate_attachs=trace_fsession",
      options: { kernel: "6.18", mode: "strict" },
      want: `delegate_attachs: "trace_fsession" at column 18 is not an attach type name or a number (EINVAL) - trace_fsession needs a newer kernel: the first shipped version that has it is ${firstShipped("attachs", "trace_fsession")}`,
    },
    {
      given: "delegate_cmds=prog_stream_read_by_fd",
      options: { kernel: tablesWithout("6.12-custom", ["prog_stream_read_by_fd"]) },
      want: `delegate_cmds: "prog_stream_read_by_fd" at column 15 is not a command name or a number (EINVAL) - prog_stream_read_by_fd needs a newer kernel: the first shipped version that has it is ${firstShipped("cmds", "prog_stream_read_by_fd")}`,
    },
    {
      given: "delegate_maps=arena",
      options: { kernel: tablesWithout("6.18", ["arena"]) },
      want: `delegate_maps: "arena" at column 15 is not a map type name or a number (EINVAL) - arena is missing from the 6.18 tables, although shipped versions ${ARENA_SPAN?.first} and ${ARENA_SPAN?.last} have it`,
    },
  ];

  it.each(cases)("$given", ({ given, options, want }) => {
    expect(parseError(given, options).message).toBe(want);
  });

  it("ignores other options' history", () => {
    const error = parseError("delegate_progs=trace_fsession", { kernel: "6.18" });
    expect(error.message).not.toContain("newer kernel");
  });

  it("writes an before attach type", () => {
    const error = parseError("delegate_attachs=zzzz", { kernel: "6.18" });
    expect(error.message).toBe('delegate_attachs: "zzzz" at column 18 is not an attach type name or a number (EINVAL) - use an attach type name such as "cgroup_inet_ingress", "any", or a number');
  });
});

describe("parse diagnostics", () => {
  const cases: { given: string; want: { codes: string[]; severities: string[] } }[] = [
    { given: "delegate_cmds=map_create:prog_run:any", want: { codes: ["name", "alias", "any"], severities: ["info", "info", "info"] } },
    { given: "delegate_cmds=prog_load:0x3", want: { codes: ["name", "number-replaces-mask"], severities: ["info", "warning"] } },
    { given: "delegate_cmds=0x3:prog_load", want: { codes: ["number", "name"], severities: ["info", "info"] } },
    { given: "delegate_cmds=010", want: { codes: ["octal-number"], severities: ["warning"] } },
    { given: "delegate_cmds=07", want: { codes: ["number"], severities: ["info"] } },
    { given: "delegate_cmds=0x8000000000000000", want: { codes: ["bits-above-sentinel"], severities: ["warning"] } },
    { given: "delegate_cmds=0xffffffffffffffff", want: { codes: ["bits-above-sentinel"], severities: ["warning"] } },
    { given: "delegate_cmds=1\n", want: { codes: ["trailing-newline"], severities: ["warning"] } },
    { given: "delegate_cmds=map_create,prog_load", want: { codes: ["name", "unknown-option"], severities: ["info", "warning"] } },
    { given: "rw,relatime,uid=1000,mode=700", want: { codes: ["mount-flag", "mount-flag", "bpffs-option", "bpffs-option"], severities: ["info", "info", "info", "info"] } },
    { given: "x-systemd.automount,comment=x,defaults", want: { codes: ["mount-flag", "mount-flag", "mount-flag"], severities: ["info", "info", "info"] } },
    { given: "DELEGATE_CMDS=any,=x", want: { codes: ["unknown-option", "unknown-option"], severities: ["warning", "warning"] } },
  ];

  it.each(cases)("$given", ({ given, want }) => {
    const diagnostics = parse(given).diagnostics;
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(want.codes);
    expect(diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(want.severities);
  });

  it("gives names their bit and position", () => {
    const [diagnostic] = parse("rw,delegate_cmds=prog_load").diagnostics.slice(1);
    expect(diagnostic?.option).toBe("delegate_cmds");
    expect(diagnostic?.token).toBe("prog_load");
    expect(diagnostic?.position).toBe(18);
    expect(diagnostic?.bits).toBe(1n << 5n);
    expect(diagnostic?.message).toBe('delegate_cmds: "prog_load" at column 18 sets bit 5 (BPF_PROG_LOAD)');
  });

  it("explains mode bits the kernel drops", () => {
    const [warning] = parse("mode=0100700").diagnostics;
    expect(warning?.code).toBe("mode-bits-dropped");
    expect(warning?.position).toBe(6);
    expect(warning?.message).toBe(
      'mode: "0100700" at column 6 sets bits 0100000 above 07777, which the kernel drops, so the mount gets mode 0700 - write mode=0700',
    );
  });

  it("explains a replaced uid", () => {
    const warning = parse("uid=1,gid=2,uid=3").diagnostics[2];
    expect(warning?.code).toBe("repeated-owner-option");
    expect(warning?.token).toBe("uid=3");
    expect(warning?.position).toBe(13);
    expect(warning?.message).toBe(
      'mount option "uid=3" at column 13 replaces "uid=1" at column 1, because the kernel keeps only the last uid= - keep one uid= option',
    );
  });

  it("explains a repeated mode of the same value", () => {
    const warning = parse("mode=0700,mode=0100700").diagnostics[2];
    expect(warning?.code).toBe("repeated-owner-option");
    expect(warning?.message).toBe('mount option "mode=0100700" at column 11 repeats "mode=0700" at column 1, which changes nothing - keep one mode= option');
  });

  it("ignores repeated uid on 6.1", () => {
    const codes = parse("uid=1,uid=2,mode=0700,mode=0700", { kernel: "6.1" }).diagnostics.map((diagnostic) => diagnostic.code);
    expect(codes).toEqual(["unknown-option", "unknown-option", "bpffs-option", "repeated-owner-option"]);
  });

  it("explains a name split off by a comma", () => {
    const warning = parse("delegate_progs=xdp,kprobe").diagnostics[1];
    expect(warning?.position).toBe(20);
    expect(warning?.message).toBe(
      'mount option "kprobe" at column 20 is a program type name, but the comma after delegate_progs=xdp hands kprobe to the kernel as a separate option, which it ignores - join names with ":" as in delegate_progs=xdp:kprobe',
    );
  });

  it("joins a run of split names", () => {
    const warning = parse("delegate_cmds=map_create,prog_load,BTF_LOAD").diagnostics[2];
    expect(warning?.message).toContain("the comma after delegate_cmds=map_create:prog_load hands BTF_LOAD to the kernel");
    expect(warning?.message).toContain('as in delegate_cmds=map_create:prog_load:BTF_LOAD');
  });

  // Each of these is ignored as an unknown option, so none gets the remedy for a split name.
  const plainUnknown: { given: string; remedy: string }[] = [
    { given: "foo=bar", remedy: "remove it, or use one of the bpffs options delegate_cmds, delegate_maps, delegate_progs, delegate_attachs, uid, gid, mode" },
    { given: "-x", remedy: "remove it, or use one of the bpffs options delegate_cmds, delegate_maps, delegate_progs, delegate_attachs, uid, gid, mode" },
    { given: "delegate_cmds=map_create,xdp", remedy: "remove it, or use one of the bpffs options" },
    { given: "delegate_progs=xdp,foo", remedy: "remove it, or use one of the bpffs options" },
    { given: "delegate_progs=xdp,kprobe=1", remedy: "remove it, or use one of the bpffs options" },
    { given: "delegate_cmd=any", remedy: 'did you mean "delegate_cmds"?' },
  ];

  it.each(plainUnknown)("gives $given a plain remedy", ({ given, remedy }) => {
    const warning = parse(given).diagnostics.find((diagnostic) => diagnostic.code === "unknown-option");
    expect(warning?.message).toContain(`so the kernel ignores it - ${remedy}`);
    expect(warning?.message).not.toContain("comma");
  });

  it("says case-sensitive only for case", () => {
    const warning = parse("delegate_cmd=any").diagnostics[0];
    expect(warning?.message).toMatch(/did you mean "delegate_cmds"\?$/);
  });

  it("suggests the case-sensitive option name", () => {
    const warning = parse("DELEGATE_CMDS=any").diagnostics[0];
    expect(warning?.message).toBe(
      'mount option "DELEGATE_CMDS=any" at column 1 is not a bpffs option, so the kernel ignores it - did you mean "delegate_cmds"? option names are case-sensitive',
    );
  });

  it("suggests no unrelated name for a short token", () => {
    const error = parseError("delegate_maps=ha");
    expect(error.message).toBe('delegate_maps: "ha" at column 15 is not a map type name or a number (EINVAL) - use a map type name such as "hash", "any", or a number');
    expect(parseError("delegate_progs=zz").message).not.toContain("unspec");
  });

  it("keeps diagnostics before an error", () => {
    const error = parseError("rw,delegate_cmds=map_create:nope");
    expect(error.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["mount-flag", "name", "invalid-token"]);
    expect(error.diagnostics.at(-1)?.severity).toBe("error");
    expect(error).toBeInstanceOf(BpfUapiError);
  });
});

describe("parse in strict mode", () => {
  const rejected: { given: string; want: string }[] = [
    { given: "delegate_cmds=prog_load:0x3", want: "number-replaces-mask" },
    { given: "delegate_cmds=010", want: "octal-number" },
    { given: "delegate_cmds=0x8000000000000000", want: "bits-above-sentinel" },
    { given: "delegate_cmds=1\n", want: "trailing-newline" },
    { given: "delegate_cmds=map_create,prog_load", want: "unknown-option" },
    { given: "DELEGATE_CMDS=any", want: "unknown-option" },
    { given: "mode=017777", want: "mode-bits-dropped" },
    { given: "gid=1,gid=2", want: "repeated-owner-option" },
  ];

  it.each(rejected)("rejects $given", ({ given, want }) => {
    const error = parseError(given, { mode: "strict" });
    expect(error.code).toBe(want);
    expect(error.errno).toBeNull();
  });

  it("accepts what draws no warning", () => {
    const result = parse("rw,relatime,delegate_cmds=0x3:prog_load:prog_run,delegate_maps=any", { mode: "strict" });
    expect(result.mode).toBe("strict");
    expect(result.masks).toEqual({ ...NO_MASKS, cmds: 0x423n, maps: ALL_BITS });
  });

  it("keeps kernel errno values", () => {
    expect(parseError("delegate_cmds=09", { mode: "strict" }).errno).toBe("EINVAL");
  });
});

describe("parse without delegation", () => {
  it("ignores delegate options on 6.1", () => {
    const result = parse("delegate_cmds=map_create,delegate_maps,delegate_progs=ANY", { kernel: "6.1" });
    expect(result.kernel).toBe("6.1");
    expect(result.masks).toEqual(NO_MASKS);
    expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["no-delegation", "no-delegation", "no-delegation"]);
    expect(result.diagnostics[0]?.message).toContain("delegation needs Linux 6.9 or later");
  });

  it("rejects delegate options in strict mode", () => {
    const error = parseError("delegate_cmds=any", { kernel: "6.1", mode: "strict" });
    expect(error.code).toBe("no-delegation");
    expect(error.errno).toBeNull();
  });
});

describe("parse one option value", () => {
  it("reads the whole input as the value", () => {
    const result = parse("map_create:prog_load", { option: "delegate_cmds" });
    expect(result.masks).toEqual({ ...NO_MASKS, cmds: 0x21n });
    expect(result.diagnostics[1]?.position).toBe(12);
  });

  it("rejects a comma inside the value", () => {
    const error = parseError("map_create,prog_load", { option: "delegate_cmds" });
    expect(error.errno).toBe("EINVAL");
    expect(error.message).toContain('join names with ":"');
  });

  it("rejects an empty value", () => {
    expect(parseError("", { option: "delegate_maps" }).code).toBe("missing-value");
  });
});

describe("parse out-of-domain names", () => {
  it("sets the low 6 bits in kernel mode", () => {
    const result = parse("delegate_cmds=common_attrs", { kernel: tablesWithOutOfDomainName() });
    expect(result.masks.cmds).toBe(1n);
    expect(result.diagnostics[0]?.code).toBe("out-of-domain-name");
    expect(result.diagnostics[0]?.severity).toBe("warning");
  });

  it("reads BPF_COMMON_ATTRS from the next tables", () => {
    const result = parse("delegate_cmds=common_attrs", { kernel: "next" });
    expect(result.masks.cmds).toBe(1n);
    expect(result.diagnostics[0]?.message).toBe(
      'delegate_cmds: "common_attrs" at column 15 is BPF_COMMON_ATTRS = 65536, outside the mask\'s bits 0 to 63, so the kernel\'s shift by 65536 is undefined (x86-64 and arm64 set bit 0) - do not delegate it by name',
    );
  });

  it("rejects them in strict mode", () => {
    const error = parseError("delegate_cmds=common_attrs", { kernel: tablesWithOutOfDomainName(), mode: "strict" });
    expect(error.code).toBe("out-of-domain-name");
  });

  it("never suggests them", () => {
    const error = parseError("delegate_cmds=common_attr", { kernel: tablesWithOutOfDomainName() });
    expect(error.message).not.toContain("common_attrs");
  });
});

describe("parse long input", () => {
  // mount(2) passes at most 4095 bytes, so parse cuts longer input there
  // and parses only that part. mount-data-limits.test.ts checks the cut
  // against the kernel.
  it("cuts 100,000 tokens quickly", () => {
    const input = `delegate_cmds=${Array.from({ length: 100_000 }, () => "map_create").join(":")}`;
    const started = performance.now();
    const error = parseError(input);

    // 4081 bytes after "delegate_cmds=" hold 371 "map_create:" and then end, so an empty name follows.
    expect(error.code).toBe("empty-token");
    expect(error.position).toBe(4096);
    expect(error.diagnostics[0]?.code).toBe("truncated-input");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("cuts 1 MB numbers quickly", () => {
    const started = performance.now();
    expect(parse(`delegate_cmds=${"0".repeat(1_000_000)}1`).masks.cmds).toBe(0n);
    expect(parseError(`delegate_cmds=${"9".repeat(1_000_000)}`).errno).toBe("ERANGE");
    expect(parseError(`delegate_cmds=${"z".repeat(1_000_000)}`).errno).toBe("EINVAL");
    expect(parseError(`delegate_cmds=map_create,${"y".repeat(1_000_000)}`, { mode: "strict" }).code).toBe("truncated-input");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("parse arguments", () => {
  it("cuts at a NUL character", () => {
    const result = parse("delegate_cmds=any\0,delegate_maps=any");
    expect(result.masks.maps).toBe(0n);
    expect(result.diagnostics[0]?.code).toBe("nul-character");
    expect(result.diagnostics[0]?.position).toBe(18);
  });

  it("rejects a NUL character in strict mode", () => {
    const error = parseError("delegate_cmds=any\0,ro", { mode: "strict" });
    expect(error.code).toBe("nul-character");
    expect(error.position).toBe(18);
  });

  it("rejects an unknown mode", () => {
    expect(() => parse("rw", { mode: "lax" as "strict" })).toThrow(BpfUapiError);
  });

  it("rejects an unknown option key", () => {
    expect(() => parse("1", { option: "delegate_foo" as "delegate_cmds" })).toThrow(/is not a delegate option/);
  });
});

describe("resolveKernel", () => {
  const labels: { given: string; want: string }[] = [
    { given: "6.18", want: "6.18" },
    { given: "6.18.44", want: "6.18" },
    { given: "6.18.44-fc-v1252", want: "6.18" },
    { given: "v6.18", want: "6.18" },
    { given: "6.1", want: "6.1" },
    { given: "next", want: "next" },
  ];

  it.each(labels)("resolves $given", ({ given, want }) => {
    expect(resolveKernel(given).kernel).toBe(want);
  });

  it("defaults to the default kernel", () => {
    expect(resolveKernel().kernel).toBe(DEFAULT_KERNEL);
  });

  it("passes tables through", () => {
    const tables = tablesWithOutOfDomainName();
    expect(resolveKernel(tables)).toBe(tables);
  });

  it.each([UNSHIPPED_KERNEL, "__proto__", "constructor", ""])("rejects %j", (label) => {
    let caught: unknown;
    try {
      resolveKernel(label);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BpfUapiError);
    expect((caught as BpfUapiError).code).toBe("unknown-kernel");
    expect((caught as BpfUapiError).message).toContain(`(shipped: ${SHIPPED_LIST})`);
    expect((caught as BpfUapiError).message).toContain("pass the KernelTables object");
  });
});
