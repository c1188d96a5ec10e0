/**
 * Unit tests of the formatter. Expected strings are the options column of
 * /proc/mounts that Linux 6.18 printed after `mount -t bpf -o OPTIONS nodev DIR`.
 */
import { describe, expect, it } from "vitest";

import { BpfUapiError } from "../src/errors.js";
import { format, formatOption } from "../src/format.js";
import { resolveKernel } from "../src/kernel.js";
import { parse, type DelegateMasks } from "../src/parse.js";
import type { KernelTables } from "../src/tables.js";

const ALL_BITS = (1n << 64n) - 1n;

/** Returns the 6.18 tables without a name for bit 37, so that bit can only print as a number. */
function tablesWithUnnamedBit(): KernelTables {
  const base = resolveKernel("6.18");
  const names = base.cmds.names.filter((entry) => entry.bit !== 37);
  return { ...base, kernel: "6.18-test", cmds: { ...base.cmds, names } };
}

describe("format on 6.18", () => {
  const cases: { given: Partial<DelegateMasks>; want: string }[] = [
    { given: { cmds: 0x3ffffffffffn }, want: "delegate_cmds=any" },
    { given: { cmds: 0x3fffffffffn }, want: "delegate_cmds=any" },
    { given: { cmds: ALL_BITS }, want: "delegate_cmds=any" },
    { given: { cmds: 0x8000000000000000n }, want: "" },
    { given: { cmds: 1n << 46n }, want: "" },
    { given: { cmds: 0x3n }, want: "delegate_cmds=map_create:map_lookup_elem" },
    { given: { cmds: 0x23n }, want: "delegate_cmds=map_create:map_lookup_elem:prog_load" },
    { given: { cmds: 1n << 10n }, want: "delegate_cmds=prog_test_run" },
    { given: { cmds: 1n | (1n << 46n) }, want: "delegate_cmds=map_create" },
    { given: { maps: 1n << 19n }, want: "delegate_maps=cgroup_storage_deprecated" },
    { given: { maps: 0x3ffffffffn }, want: "delegate_maps=any" },
    { given: { progs: 0x1ffffffffn }, want: "delegate_progs=any" },
    { given: { progs: 0x7n }, want: "delegate_progs=unspec:socket_filter:kprobe" },
    { given: { attachs: 0x3ffffffffffffffn }, want: "delegate_attachs=any" },
    { given: { attachs: 1n | (1n << 37n) | (1n << 55n) }, want: "delegate_attachs=cgroup_inet_ingress:xdp:netkit_peer" },
    {
      given: { attachs: ALL_BITS, progs: 1n, maps: 2n, cmds: 2n },
      want: "delegate_cmds=map_lookup_elem,delegate_maps=hash,delegate_progs=unspec,delegate_attachs=any",
    },
    { given: {}, want: "" },
    { given: { cmds: 0n }, want: "" },
  ];

  it.each(cases)("$want", ({ given, want }) => {
    expect(format(given)).toBe(want);
    expect(format(given, { kernel: "6.18" })).toBe(want);
  });
});

describe("format bits without a name", () => {
  const cases: { given: bigint; want: string }[] = [
    { given: 1n << 37n, want: "delegate_cmds=0x2000000000" },
    { given: 1n | (1n << 37n), want: "delegate_cmds=map_create:0x2000000000" },
    { given: (1n << 37n) | (1n << 40n), want: "delegate_cmds=0x2000000000" },
  ];

  it.each(cases)("$want", ({ given, want }) => {
    expect(formatOption("cmds", given, tablesWithUnnamedBit())).toBe(want);
  });
});

describe("format without delegation", () => {
  it("prints nothing on 6.1", () => {
    expect(format({ cmds: ALL_BITS, maps: 1n }, { kernel: "6.1" })).toBe("");
  });

  it("prints nothing for one option", () => {
    expect(formatOption("cmds", 1n, resolveKernel("6.1"))).toBe("");
  });
});

describe("format invalid masks", () => {
  const cases: { given: unknown; want: RegExp }[] = [
    { given: -1n, want: /masks\.cmds: -1 is outside 0 to 2\^64-1/ },
    { given: 1n << 64n, want: /is outside 0 to 2\^64-1/ },
    { given: 5, want: /masks\.cmds: expected a bigint, got number/ },
  ];

  it.each(cases)("rejects $given", ({ given, want }) => {
    expect(() => format({ cmds: given as bigint })).toThrow(BpfUapiError);
    expect(() => format({ cmds: given as bigint })).toThrow(want);
  });
});

describe("format round trip", () => {
  it("parses back to the printed bits", () => {
    const tables = resolveKernel("6.18");
    let seed = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & ALL_BITS;
      const masks: DelegateMasks = { cmds: seed, maps: seed >> 7n, progs: seed >> 13n, attachs: seed >> 3n };
      const printed = format(masks, { kernel: tables });
      const reparsed = parse(printed, { kernel: tables, mode: "strict" }).masks;

      for (const key of ["cmds", "maps", "progs", "attachs"] as const) {
        const visible = masks[key] & tables[key].anyMask;
        const expected = visible === tables[key].anyMask ? ALL_BITS : visible;
        expect(reparsed[key]).toBe(expected);
      }
    }
  });
});
