/**
 * Compares `parse` and `format` with the running kernel on a table of bpffs
 * mount option strings. Each row mounts bpffs with its option string and
 * checks the kernel's result against the pinned `want` and the prediction
 * of `parse` and `format` for Linux 6.18 in kernel mode against the kernel.
 *
 * Every `want` was observed on Linux 6.18.44 (x86-64, root) through mount(2),
 * as the delegate_* entries of the /proc/mounts options column or the errno.
 * Without a usable bpffs the live tests are skipped with the reason printed,
 * and the prediction is still checked against the pinned `want`.
 */
import { afterAll, describe, expect, it } from "vitest";

import { DelegationError, quote, type Errno } from "../src/errors.js";
import { format } from "../src/format.js";
import { parse } from "../src/parse.js";
import { kernelSkipReason, mountBpffs, sweepBpffsMounts } from "./support/kernel.js";

/** The delegate_* entries that /proc/mounts prints, comma-joined, or the errno of a rejected mount. */
type Outcome = string | { readonly errno: Errno };

interface Row {
  /** The rule of kernel semantics that the row exercises. */
  readonly rule: string;
  /** The mount(2) data string. */
  readonly given: string;
  /** What Linux 6.18 printed or the errno it returned. */
  readonly want: Outcome;
}

const EINVAL = { errno: "EINVAL" } as const;
const ERANGE = { errno: "ERANGE" } as const;
const KERNEL = "6.18";

// Every bit below each 6.18 sentinel has a name (cmds 0-37, maps 0-33,
// progs 0-32, attachs 0-57), so Linux 6.18 never prints unnamed bits as a
// trailing hex number, and no row here can show it. format.test.ts covers
// that path with a table that has an unnamed bit.
const ROWS: readonly Row[] = [
  { rule: "any sets every bit", given: "delegate_cmds=any", want: "delegate_cmds=any" },
  { rule: "any sets every bit", given: "delegate_maps=any", want: "delegate_maps=any" },
  { rule: "any sets every bit", given: "delegate_progs=any", want: "delegate_progs=any" },
  { rule: "any sets every bit", given: "delegate_attachs=any", want: "delegate_attachs=any" },
  { rule: "any is case-sensitive", given: "delegate_cmds=ANY", want: EINVAL },
  { rule: "any is case-sensitive", given: "delegate_cmds=Any", want: EINVAL },
  { rule: "any ORs with names", given: "delegate_cmds=any:map_create", want: "delegate_cmds=any" },
  { rule: "any ORs with names", given: "delegate_cmds=map_create:any", want: "delegate_cmds=any" },

  { rule: "name", given: "delegate_cmds=map_create", want: "delegate_cmds=map_create" },
  { rule: "name case-insensitive", given: "delegate_cmds=MAP_CREATE", want: "delegate_cmds=map_create" },
  { rule: "name case-insensitive", given: "delegate_cmds=Map_Create", want: "delegate_cmds=map_create" },
  { rule: "name case-insensitive", given: "delegate_maps=HASH:Array", want: "delegate_maps=hash:array" },
  { rule: "name repeated", given: "delegate_cmds=map_create:map_create", want: "delegate_cmds=map_create" },
  { rule: "names print in declaration order", given: "delegate_cmds=prog_load:map_create", want: "delegate_cmds=map_create:prog_load" },
  { rule: "names print in declaration order", given: "delegate_maps=arena:cgrp_storage", want: "delegate_maps=cgrp_storage:arena" },

  { rule: "prefix not accepted", given: "delegate_cmds=bpf_map_create", want: EINVAL },
  { rule: "prefix not accepted", given: "delegate_cmds=BPF_MAP_CREATE", want: EINVAL },
  { rule: "prefix not accepted", given: "delegate_maps=bpf_map_type_hash", want: EINVAL },
  { rule: "sentinel is not a name", given: "delegate_cmds=__max_bpf_cmd", want: EINVAL },
  { rule: "sentinel is not a name", given: "delegate_cmds=max_bpf_cmd", want: EINVAL },

  { rule: "alias prints the first name", given: "delegate_cmds=prog_run", want: "delegate_cmds=prog_test_run" },
  { rule: "alias prints the first name", given: "delegate_cmds=PROG_RUN:prog_test_run", want: "delegate_cmds=prog_test_run" },
  { rule: "alias prints the first name", given: "delegate_maps=cgroup_storage", want: "delegate_maps=cgroup_storage_deprecated" },
  {
    rule: "alias prints the first name",
    given: "delegate_maps=percpu_cgroup_storage",
    want: "delegate_maps=percpu_cgroup_storage_deprecated",
  },

  { rule: "decimal number", given: "delegate_cmds=33", want: "delegate_cmds=map_create:prog_load" },
  { rule: "hex number", given: "delegate_cmds=0x21", want: "delegate_cmds=map_create:prog_load" },
  { rule: "hex number", given: "delegate_cmds=0X21", want: "delegate_cmds=map_create:prog_load" },
  { rule: "octal number", given: "delegate_cmds=010", want: "delegate_cmds=map_delete_elem" },
  { rule: "octal number", given: "delegate_cmds=00", want: "" },
  { rule: "bad octal digit", given: "delegate_cmds=09", want: EINVAL },
  { rule: "0x without digits", given: "delegate_cmds=0x", want: EINVAL },
  { rule: "plus sign", given: "delegate_cmds=+5", want: "delegate_cmds=map_create:map_update_elem" },
  { rule: "plus sign", given: "delegate_cmds=+0x10", want: "delegate_cmds=map_get_next_key" },
  { rule: "minus sign", given: "delegate_cmds=-1", want: EINVAL },
  { rule: "zero prints nothing", given: "delegate_cmds=0", want: "" },
  { rule: "no binary prefix", given: "delegate_cmds=0b1", want: EINVAL },
  { rule: "no suffix", given: "delegate_cmds=1k", want: EINVAL },
  { rule: "no leading space", given: "delegate_cmds= 1", want: EINVAL },
  { rule: "newline after a number", given: "delegate_cmds=1\n", want: "delegate_cmds=map_create" },
  { rule: "newline after a name", given: "delegate_cmds=map_create\n", want: EINVAL },

  { rule: "2^64-1 prints any", given: "delegate_cmds=18446744073709551615", want: "delegate_cmds=any" },
  { rule: "2^64-1 prints any", given: "delegate_cmds=0xffffffffffffffff", want: "delegate_cmds=any" },
  { rule: "above 2^64-1", given: "delegate_cmds=18446744073709551616", want: ERANGE },
  { rule: "above 2^64-1", given: "delegate_cmds=0x10000000000000000", want: ERANGE },
  { rule: "above 2^64-1 after a name", given: "delegate_cmds=map_create:18446744073709551616", want: ERANGE },
  { rule: "first bad token wins", given: "delegate_cmds=bogus:18446744073709551616", want: EINVAL },

  { rule: "number replaces names", given: "delegate_cmds=prog_load:0x3", want: "delegate_cmds=map_create:map_lookup_elem" },
  { rule: "names OR into a number", given: "delegate_cmds=0x3:prog_load", want: "delegate_cmds=map_create:map_lookup_elem:prog_load" },
  { rule: "number replaces a number", given: "delegate_cmds=1:2", want: "delegate_cmds=map_lookup_elem" },
  { rule: "number replaces any", given: "delegate_cmds=any:0", want: "" },
  { rule: "number replaces names", given: "delegate_cmds=map_create:0x2", want: "delegate_cmds=map_lookup_elem" },

  { rule: "empty value", given: "delegate_cmds=", want: EINVAL },
  { rule: "no value", given: "delegate_cmds", want: EINVAL },
  { rule: "leading colon", given: "delegate_cmds=:map_create", want: EINVAL },
  { rule: "trailing colon", given: "delegate_cmds=map_create:", want: EINVAL },
  { rule: "double colon", given: "delegate_cmds=map_create::prog_load", want: EINVAL },
  { rule: "colon alone", given: "delegate_cmds=:", want: EINVAL },
  { rule: "equals sign in a token", given: "delegate_cmds=map_create=1", want: EINVAL },
  { rule: "equals sign in a token", given: "delegate_cmds==any", want: EINVAL },

  { rule: "repeated option ORs", given: "delegate_cmds=map_create,delegate_cmds=prog_load", want: "delegate_cmds=map_create:prog_load" },
  { rule: "repeated option ORs", given: "delegate_maps=hash,delegate_maps=0x4", want: "delegate_maps=hash:array" },
  { rule: "repeated option ORs numbers", given: "delegate_cmds=1,delegate_cmds=2", want: "delegate_cmds=map_create:map_lookup_elem" },
  { rule: "repeated option ORs a zero", given: "delegate_cmds=any,delegate_cmds=0", want: "delegate_cmds=any" },
  { rule: "comma ends the option", given: "delegate_cmds=map_create,prog_load", want: "delegate_cmds=map_create" },

  { rule: "bits above the sentinel dropped", given: "delegate_cmds=0x8000000000000000", want: "" },
  { rule: "bits above the sentinel dropped", given: "delegate_cmds=0x4000000000", want: "" },
  { rule: "bits above the sentinel dropped", given: "delegate_cmds=0x8000000000000001", want: "delegate_cmds=map_create" },
  { rule: "bits above the sentinel dropped", given: "delegate_maps=0x400000000", want: "" },
  { rule: "all valid bits print any", given: "delegate_cmds=0x3fffffffff", want: "delegate_cmds=any" },
  { rule: "superset prints any", given: "delegate_cmds=0x7fffffffff", want: "delegate_cmds=any" },
  { rule: "all valid bits print any", given: "delegate_maps=0x3ffffffff", want: "delegate_maps=any" },
  { rule: "all valid bits print any", given: "delegate_progs=0x1ffffffff", want: "delegate_progs=any" },
  { rule: "all valid bits print any", given: "delegate_attachs=0x3ffffffffffffff", want: "delegate_attachs=any" },
  { rule: "highest bit below the sentinel", given: "delegate_attachs=0x200000000000000", want: "delegate_attachs=trace_uprobe_session" },
  { rule: "highest bit below the sentinel", given: "delegate_progs=0x100000000", want: "delegate_progs=netfilter" },

  {
    rule: "all four options",
    given: "delegate_cmds=map_create,delegate_maps=hash,delegate_progs=xdp,delegate_attachs=cgroup_inet_ingress",
    want: "delegate_cmds=map_create,delegate_maps=hash,delegate_progs=xdp,delegate_attachs=cgroup_inet_ingress",
  },
  {
    rule: "options print as cmds, maps, progs, attachs",
    given: "delegate_attachs=xdp,delegate_progs=kprobe,delegate_maps=array,delegate_cmds=prog_load",
    want: "delegate_cmds=prog_load,delegate_maps=array,delegate_progs=kprobe,delegate_attachs=xdp",
  },

  { rule: "unknown option ignored", given: "delegate_foo=1", want: "" },
  { rule: "unknown option ignored", given: "foo", want: "" },
  { rule: "option names are case-sensitive", given: "DELEGATE_CMDS=any", want: "" },
  { rule: "unknown option ignored", given: "delegate_cmd=any", want: "" },
  { rule: "unknown option ignored", given: ":delegate_cmds=map_create", want: "" },
  { rule: "empty option name ignored", given: "=any", want: "" },
  { rule: "empty option string", given: "", want: "" },
  { rule: "empty options skipped", given: ",,delegate_cmds=any,,", want: "delegate_cmds=any" },

  { rule: "uid, gid and mode beside delegation", given: "uid=1000,gid=1000,mode=0700,delegate_cmds=any", want: "delegate_cmds=any" },
  { rule: "uid, gid and mode beside delegation", given: "delegate_cmds=any,uid=0,mode=01777", want: "delegate_cmds=any" },
  { rule: "invalid uid", given: "uid=abc,delegate_cmds=any", want: EINVAL },
  { rule: "invalid mode", given: "mode=0999", want: EINVAL },
  { rule: "source option", given: "source=foo", want: EINVAL },

  { rule: "name of another option", given: "delegate_cmds=kprobe", want: EINVAL },
  { rule: "name of another option", given: "delegate_progs=kprobe", want: "delegate_progs=kprobe" },
  { rule: "name of another option", given: "delegate_attachs=map_create", want: EINVAL },

  { rule: "name only in a newer kernel", given: "delegate_cmds=prog_assoc_struct_ops", want: EINVAL },
  { rule: "name only in a newer kernel", given: "delegate_maps=insn_array", want: EINVAL },
  { rule: "name only in a newer kernel", given: "delegate_attachs=trace_fsession", want: EINVAL },
  { rule: "name new since 6.1", given: "delegate_cmds=token_create", want: "delegate_cmds=token_create" },
];

/** A row of bpffs `uid`, `gid` and `mode` options, which /proc/mounts shows outside the delegate_* entries. */
interface OwnerRow {
  readonly rule: string;
  readonly given: string;
  /** The whole options column Linux 6.18 printed. It never shows the sticky bit, which bpffs always sets on its root. */
  readonly shown: string;
  /** The codes of the warnings `parse` gives in kernel mode, in order. Strict mode rejects at the first. */
  readonly warnings: readonly string[];
}

const OWNER_ROWS: readonly OwnerRow[] = [
  { rule: "uid, gid and mode shown", given: "uid=1,gid=2,mode=0700", shown: "rw,relatime,uid=1,gid=2,mode=700", warnings: [] },
  { rule: "all mode bits kept", given: "mode=07777", shown: "rw,relatime,mode=6777", warnings: [] },
  { rule: "mode bits above 07777 dropped", given: "mode=0100700", shown: "rw,relatime,mode=700", warnings: ["mode-bits-dropped"] },
  { rule: "mode bits above 07777 dropped", given: "mode=017777", shown: "rw,relatime,mode=6777", warnings: ["mode-bits-dropped"] },
  { rule: "mode bits above 07777 dropped", given: "mode=010000", shown: "rw,relatime,mode=0", warnings: ["mode-bits-dropped"] },
  { rule: "mode bits above 07777 dropped", given: "mode=037777777777", shown: "rw,relatime,mode=6777", warnings: ["mode-bits-dropped"] },
  { rule: "last uid wins", given: "uid=1,uid=2", shown: "rw,relatime,uid=2", warnings: ["repeated-owner-option"] },
  { rule: "last uid wins", given: "uid=1,gid=2,uid=3", shown: "rw,relatime,uid=3,gid=2", warnings: ["repeated-owner-option"] },
  { rule: "last gid wins", given: "gid=1,gid=2", shown: "rw,relatime,gid=2", warnings: ["repeated-owner-option"] },
  { rule: "last mode wins", given: "mode=0700,mode=0755", shown: "rw,relatime,mode=755", warnings: ["repeated-owner-option"] },
  { rule: "same uid repeated", given: "uid=1,uid=1", shown: "rw,relatime,uid=1", warnings: ["repeated-owner-option"] },
  {
    rule: "last mode wins after dropped bits",
    given: "mode=0100700,mode=0700",
    shown: "rw,relatime,mode=700",
    warnings: ["mode-bits-dropped", "repeated-owner-option"],
  },
];

/** Returns what `parse` and `format` predict for `given` on 6.18 in kernel mode. */
function predict(given: string): Outcome {
  try {
    const { masks } = parse(given, { kernel: KERNEL });
    return format(masks, { kernel: KERNEL });
  } catch (error) {
    if (error instanceof DelegationError && error.errno !== null) return { errno: error.errno };
    throw error;
  }
}

/** Mounts bpffs with `given` and returns what the kernel printed or the errno it returned. */
async function observe(given: string): Promise<Outcome> {
  const result = await mountBpffs(given);
  if (result.ok) return result.delegate;
  if (result.errno !== "EINVAL" && result.errno !== "ERANGE") {
    throw new Error(`mount(2) with ${JSON.stringify(given)} failed with ${result.errno} (${result.message})`);
  }
  return { errno: result.errno };
}

/** Returns the error `parse` throws for `given` on 6.18, failing the test when it returns. */
function parseError(given: string): DelegationError {
  try {
    parse(given, { kernel: KERNEL });
  } catch (error) {
    if (error instanceof DelegationError) return error;
    throw error;
  }
  throw new Error(`parse accepted ${JSON.stringify(given)}`);
}

/** Returns the option name of the comma-separated item of `given` that contains 1-based `position`. */
function optionAt(given: string, position: number): string {
  const start = given.lastIndexOf(",", position - 2) + 1;
  const comma = given.indexOf(",", start);
  const item = given.slice(start, comma === -1 ? given.length : comma);
  const equals = item.indexOf("=");
  return equals === -1 ? item : item.slice(0, equals);
}

/**
 * Returns the text by which a message names the rejected token: "empty name"
 * for an empty token, the option itself when the whole option is the token
 * (a missing or empty value), and the quoted token otherwise.
 */
function tokenMention(error: DelegationError): string {
  if (error.token === "") return "empty name";
  if (error.option !== null && (error.token === error.option || error.token === `${error.option}=`)) {
    return `${error.option}: option at column`;
  }
  return quote(error.token);
}

const skipReason = kernelSkipReason();
if (skipReason !== null) {
  console.warn(`skipping live kernel option comparison: ${skipReason}`);
}

describe("kernel option rows", () => {
  it("has at least 60 rows", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  it("has no duplicate option strings", () => {
    expect(new Set(ROWS.map((row) => row.given)).size).toBe(ROWS.length);
  });
});

describe.skipIf(skipReason !== null)("kernel options on the running kernel", () => {
  afterAll(async () => {
    expect(await sweepBpffsMounts()).toEqual([]);
  });

  it.each(ROWS)("$rule: $given", async ({ given, want }) => {
    const observed = await observe(given);

    expect(observed, "kernel against the pinned want").toEqual(want);
    expect(predict(given), "parse and format against the kernel").toEqual(observed);
  });

  it("prints delegate options after uid, gid and mode", async () => {
    const given = "delegate_attachs=xdp,gid=1000,delegate_cmds=prog_load,uid=1000,mode=0700";
    const result = await mountBpffs(given);
    if (!result.ok) throw new Error(`mount(2) with ${JSON.stringify(given)} failed with ${result.errno}`);

    expect(result.options).toBe("rw,relatime,uid=1000,gid=1000,mode=700,delegate_cmds=prog_load,delegate_attachs=xdp");
    expect(result.options.endsWith(`,${predict(given) as string}`)).toBe(true);
  });
});

describe.skipIf(skipReason !== null)("owner options on the running kernel", () => {
  afterAll(async () => {
    expect(await sweepBpffsMounts()).toEqual([]);
  });

  it.each(OWNER_ROWS)("$rule: $given", async ({ given, shown }) => {
    const result = await mountBpffs(given);
    if (!result.ok) throw new Error(`mount(2) with ${JSON.stringify(given)} failed with ${result.errno}`);

    expect(result.options).toBe(shown);
  });
});

describe("owner option warnings", () => {
  it.each(OWNER_ROWS)("$rule: $given", ({ given, warnings }) => {
    const lenient = parse(given, { kernel: KERNEL });
    const codes = lenient.diagnostics.filter((diagnostic) => diagnostic.severity === "warning").map((diagnostic) => diagnostic.code);

    expect(codes).toEqual(warnings);
  });

  it.each(OWNER_ROWS)("strict mode on $given", ({ given, warnings }) => {
    let code: string | null = null;
    try {
      parse(given, { kernel: KERNEL, mode: "strict" });
    } catch (error) {
      if (!(error instanceof DelegationError)) throw error;
      code = error.code;
    }

    expect(code).toBe(warnings[0] ?? null);
  });
});

describe("kernel options predicted without a kernel", () => {
  it.each(ROWS)("$rule: $given", ({ given, want }) => {
    expect(predict(given)).toEqual(want);
  });
});

describe("kernel option error messages", () => {
  const rejected = ROWS.filter((row) => typeof row.want !== "string");

  it.each(rejected)("$rule: $given", ({ given }) => {
    const error = parseError(given);

    expect(given.startsWith(error.token, error.position - 1), "position points at the token").toBe(true);
    expect(error.message).toContain(error.option ?? optionAt(given, error.position));
    expect(error.message).toContain(tokenMention(error));
    expect(error.message).toContain(`column ${error.position}`);
  });
});
