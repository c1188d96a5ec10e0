/**
 * Conversion between delegate masks and systemd's BPFDelegate settings,
 * checked against the pairs systemd's own integration test
 * (TEST-07-PID1.private-bpf.sh, systemd 258) expects in /proc/mounts.
 */
import { describe, expect, it } from "vitest";
import { BpfUapiError } from "../src/errors.js";
import { format } from "../src/format.js";
import { resolveKernel } from "../src/kernel.js";
import { U64_MAX } from "../src/number.js";
import { parse } from "../src/parse.js";
import { parseSystemd, systemdName, toSystemd } from "../src/systemd.js";
import type { KernelTables } from "../src/tables.js";

/** systemd settings and the delegate option systemd's test expects the mount to show. */
const SYSTEMD_TEST_PAIRS: readonly [string, string][] = [
  ["BPFDelegateCommands=BPFObjPin,BPFBtfLoad,BPFMapFreeze,BPFLinkDetach", "delegate_cmds=obj_pin:btf_load:map_freeze:link_detach"],
  ["BPFDelegateMaps=BPFMapTypeArray,BPFMapTypeCpumap,BPFMapTypeRingbuf", "delegate_maps=array:cpumap:ringbuf"],
  ["BPFDelegatePrograms=BPFProgTypeTracepoint,BPFProgTypeXdp,BPFProgTypeTracing", "delegate_progs=tracepoint:xdp:tracing"],
  ["BPFDelegateAttachments=BPFFlowDissector,BPFCgroupSysctl,BPFNetfilter", "delegate_attachs=flow_dissector:cgroup_sysctl:netfilter"],
];

describe("systemdName", () => {
  it("camel-cases enumerators", () => {
    expect(systemdName("BPF_MAP_CREATE")).toBe("BPFMapCreate");
    expect(systemdName("BPF_MAP_TYPE_CPUMAP")).toBe("BPFMapTypeCpumap");
    expect(systemdName("BPF_PROG_TYPE_XDP")).toBe("BPFProgTypeXdp");
    expect(systemdName("BPF_CGROUP_INET4_BIND")).toBe("BPFCgroupInet4Bind");
  });
});

describe("parseSystemd", () => {
  it("matches systemd's own test", () => {
    for (const [settings, shown] of SYSTEMD_TEST_PAIRS) {
      expect(format(parseSystemd(settings, { kernel: "6.18" }), { kernel: "6.18" }), settings).toBe(shown);
    }
  });

  it("reads a unit file", () => {
    const unit = ["[Service]", "# delegation", "PrivateBPF=yes", "BPFDelegateCommands=BPFMapCreate, BPFProgLoad", "BPFDelegateMaps=any", ""].join("\n");
    const masks = parseSystemd(unit);

    expect(masks.cmds).toBe(0x21n);
    expect(masks.maps).toBe(U64_MAX);
    expect(masks.progs).toBe(0n);
  });

  it("combines repeats and resets on empty", () => {
    expect(parseSystemd("BPFDelegateCommands=BPFMapCreate\nBPFDelegateCommands=BPFProgLoad").cmds).toBe(0x21n);
    expect(parseSystemd("BPFDelegateCommands=BPFMapCreate\nBPFDelegateCommands=").cmds).toBe(0n);
  });

  it("accepts aliases", () => {
    expect(parseSystemd("BPFDelegateCommands=BPFProgRun").cmds).toBe(1n << 10n);
  });

  it("rejects a kernel-syntax name", () => {
    expect(() => parseSystemd("BPFDelegateCommands=map_create")).toThrow(
      'line 1: BPFDelegateCommands= "map_create" is not a command name in Linux 6.18 - systemd spells "map_create" as BPFMapCreate',
    );
  });

  it("rejects a wrongly cased name", () => {
    expect(() => parseSystemd("BPFDelegatePrograms=BPFProgTypeXDP")).toThrow("names are case-sensitive, write BPFProgTypeXdp");
  });

  it("rejects names separated by spaces", () => {
    expect(() => parseSystemd("BPFDelegateCommands=BPFMapCreate BPFProgLoad")).toThrow(
      'line 1: BPFDelegateCommands= "BPFMapCreate BPFProgLoad" is not a command name in Linux 6.18 - write BPFDelegateCommands=BPFMapCreate,BPFProgLoad, because systemd separates names with commas',
    );
  });

  it("rejects a misspelt setting", () => {
    expect(() => parseSystemd("BPFDelegateCommand=BPFMapCreate")).toThrow(BpfUapiError);
    expect(() => parseSystemd("bpfdelegatemaps=any")).toThrow('"bpfdelegatemaps" is not a systemd BPF delegation setting - write BPFDelegateMaps=');
  });

  it("rejects a name a kernel lacks", () => {
    expect(() => parseSystemd("BPFDelegateCommands=BPFTokenCreate", { kernel: "6.1" })).toThrow("is not a command name in Linux 6.1");
  });
});

describe("toSystemd", () => {
  it("inverts systemd's own test", () => {
    for (const [settings, shown] of SYSTEMD_TEST_PAIRS) {
      expect(toSystemd(parse(shown).masks)).toEqual([settings]);
    }
  });

  it("prints any for a full mask", () => {
    expect(toSystemd({ cmds: U64_MAX, attachs: 0x3ffffffffffffffn })).toEqual(["BPFDelegateCommands=any", "BPFDelegateAttachments=any"]);
  });

  it("prints the first name of an alias", () => {
    expect(toSystemd({ maps: 1n << 19n })).toEqual(["BPFDelegateMaps=BPFMapTypeCgroupStorageDeprecated"]);
  });

  it("rejects bits without a name", () => {
    // Tables with a gap: obj_pin (bit 6) removed, as a header with a hole in enum bpf_cmd would give.
    const shipped = resolveKernel("6.18");
    const gap: KernelTables = { ...shipped, cmds: { ...shipped.cmds, names: shipped.cmds.names.filter((entry) => entry.name !== "obj_pin") } };

    expect(() => toSystemd({ cmds: (1n << 6n) | 1n }, { kernel: gap })).toThrow(
      "delegate_cmds: bits 0x40 have no command name in Linux 6.18, and BPFDelegateCommands= takes names only",
    );
  });

  it("returns nothing for zero masks", () => {
    expect(toSystemd({})).toEqual([]);
  });
});
