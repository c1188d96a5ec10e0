/**
 * Lints of delegate masks against the shipped tables.
 */
import { describe, expect, it } from "vitest";
import { lint } from "../src/lint.js";
import { parse } from "../src/parse.js";

/** Returns the lint codes of an option string parsed for `kernel`. */
function codes(options: string, kernel = "6.18"): string[] {
  return lint(parse(options, { kernel }).masks, { kernel }).map((found) => found.code);
}

describe("lint", () => {
  it("passes a complete delegation", () => {
    expect(codes("delegate_cmds=map_create:prog_load,delegate_maps=hash,delegate_progs=xdp,delegate_attachs=xdp")).toEqual([]);
  });

  it("flags all four masks zero", () => {
    const [found] = lint({}, { kernel: "6.18" });

    expect(found?.code).toBe("empty-delegation");
    expect(found?.severity).toBe("error");
    expect(found?.option).toBeNull();
    expect(found?.message).toContain("ENOENT");
  });

  it("flags program types without prog_load", () => {
    const found = lint(parse("delegate_cmds=map_create,delegate_progs=xdp,delegate_attachs=xdp").masks);

    expect(found).toEqual([
      {
        code: "progs-without-prog-load",
        severity: "error",
        option: "delegate_progs",
        message: "delegate_progs: program types are delegated but delegate_cmds lacks prog_load, so a token can never use them - add prog_load to delegate_cmds",
      },
    ]);
  });

  it("flags map types without map_create", () => {
    expect(codes("delegate_cmds=prog_load,delegate_maps=hash")).toEqual(["maps-without-map-create"]);
  });

  it("flags program types without attach types", () => {
    const found = lint(parse("delegate_cmds=prog_load,delegate_progs=socket_filter").masks);

    expect(found.map((entry) => entry.code)).toEqual(["progs-without-attachs"]);
    expect(found[0]?.message).toContain("cgroup_inet_ingress, value 0");
  });

  it("accepts any as prog_load and map_create", () => {
    expect(codes("delegate_cmds=any,delegate_maps=any,delegate_progs=any,delegate_attachs=any")).toEqual([]);
  });

  it("ignores bits the kernel drops", () => {
    // Bit 63 is above every sentinel, so the kernel keeps no program type.
    expect(codes("delegate_cmds=map_create,delegate_progs=0x8000000000000000")).toEqual([]);
  });

  it("flags a bit only a newer kernel names", () => {
    // bpf-next declares command 38, BPF_PROG_ASSOC_STRUCT_OPS, which 6.18 lacks.
    const found = lint({ cmds: (1n << 5n) | (1n << 38n) }, { kernel: "6.18" });

    expect(found).toEqual([
      {
        code: "needs-newer-kernel",
        severity: "warning",
        option: "delegate_cmds",
        message: "delegate_cmds: bit 38 has no command in Linux 6.18 but is prog_assoc_struct_ops in next - target next, or drop the bit",
      },
    ]);
  });

  it("skips newer bits under any", () => {
    expect(codes("delegate_cmds=any", "6.18")).toEqual([]);
  });

  it("returns nothing for a kernel without delegation", () => {
    expect(lint({}, { kernel: "6.1" })).toEqual([]);
  });
});
