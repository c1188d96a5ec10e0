/**
 * Tests of where the kernel stops reading mount(2) option data: after 4095
 * UTF-8 bytes, because mount(2) copies one page and ends it with a NUL, and
 * at the first NUL, because the data is a C string. The long rows are
 * compared live with the running kernel through mountBpffs, like the rows of
 * kernel-options.test.ts, and every `want` was observed on Linux 6.18.44
 * (x86-64, 4 KiB pages, root).
 */
import { afterAll, describe, expect, it } from "vitest";

import { DelegationError, type Errno } from "../src/errors.js";
import { format } from "../src/format.js";
import { parse, type ParseOptions } from "../src/parse.js";
import { kernelSkipReason, mountBpffs, sweepBpffsMounts } from "./support/kernel.js";

/** The delegate_* entries that /proc/mounts prints, comma-joined, or the errno of a rejected mount. */
type Outcome = string | { readonly errno: Errno };

interface Row {
  /** The case the row exercises, also the test name, because `given` is thousands of characters long. */
  readonly rule: string;
  readonly given: string;
  readonly want: Outcome;
}

const EINVAL = { errno: "EINVAL" } as const;
const KERNEL = "6.18";
const MAX_BYTES = 4095;

/** Returns an ignored option of `length` ASCII bytes, which pads a string to the byte limit. */
function padding(length: number): string {
  return "x".repeat(length);
}

/** Returns `padding,tail` with a padding that puts exactly `bytesBeforeTail` UTF-8 bytes before `tail`. */
function padTo(bytesBeforeTail: number, tail: string): string {
  return `${padding(bytesBeforeTail - 1)},${tail}`;
}

const MAP_CREATE_OPTION = "delegate_cmds=map_create";

const ROWS: readonly Row[] = [
  { rule: "4095 bytes pass whole", given: padTo(MAX_BYTES - 18, "delegate_cmds=0x21"), want: "delegate_cmds=map_create:prog_load" },
  { rule: "4096 bytes lose the last byte", given: padTo(MAX_BYTES - 17, "delegate_cmds=0x21"), want: "delegate_cmds=map_lookup_elem" },
  {
    rule: "cut value changes the mask",
    given: `delegate_cmds=map_create,${padding(4051)},delegate_progs=0x40`,
    want: "delegate_cmds=map_create,delegate_progs=kprobe",
  },
  { rule: "cut after a colon leaves an empty name", given: `delegate_cmds=${"map_create:".repeat(400)}prog_load`, want: EINVAL },
  { rule: "1 of 2 bytes of a character kept", given: padTo(MAX_BYTES - MAP_CREATE_OPTION.length - 1, `${MAP_CREATE_OPTION}é`), want: EINVAL },
  { rule: "1 of 3 bytes of a character kept", given: padTo(MAX_BYTES - MAP_CREATE_OPTION.length - 1, `${MAP_CREATE_OPTION}€`), want: EINVAL },
  { rule: "2 of 3 bytes of a character kept", given: padTo(MAX_BYTES - MAP_CREATE_OPTION.length - 2, `${MAP_CREATE_OPTION}€`), want: EINVAL },
  { rule: "3 of 4 bytes of a character kept", given: padTo(MAX_BYTES - 18 - 3, "delegate_progs=xdp😀"), want: EINVAL },
  { rule: "split character in an ignored option", given: padTo(MAX_BYTES - 19 - 1, "delegate_cmds=any,ééé"), want: "delegate_cmds=any" },
  { rule: "4-byte character cut in an ignored option", given: `delegate_cmds=any,${padding(MAX_BYTES - 18 - 3)}😀,delegate_cmds=0`, want: "delegate_cmds=any" },
  { rule: "4095-byte number", given: `delegate_cmds=${"0".repeat(MAX_BYTES - 16)}33`, want: "delegate_cmds=map_create:map_lookup_elem:map_delete_elem:map_get_next_key" },
  { rule: "number cut to its first digit", given: `delegate_cmds=${"0".repeat(MAX_BYTES - 15)}33`, want: "delegate_cmds=map_create:map_lookup_elem" },
];

// mountBpffs passes the options through argv, which cannot hold a NUL, so
// these rows were observed once with a small C program that read the data
// from a file and passed the buffer, NUL included, to mount(2).
const NUL_ROWS: readonly Row[] = [
  { rule: "NUL ends the options", given: "delegate_cmds=any\0junk,delegate_maps=any", want: "delegate_cmds=any" },
  { rule: "NUL inside a value", given: "delegate_cmds=any,delegate_maps=hash\0:bogus", want: "delegate_cmds=any,delegate_maps=hash" },
];

/** Returns what `parse` and `format` predict for `given` on 6.18 in kernel mode. */
function predict(given: string, options: ParseOptions = {}): Outcome {
  try {
    const { masks } = parse(given, { kernel: KERNEL, ...options });
    return format(masks, { kernel: KERNEL });
  } catch (error) {
    if (error instanceof DelegationError && error.errno !== null) return { errno: error.errno };
    throw error;
  }
}

/** Returns the error `parse` throws for `given`, failing the test when it returns. */
function parseError(given: string, options: ParseOptions = {}): DelegationError {
  try {
    parse(given, { kernel: KERNEL, ...options });
  } catch (error) {
    if (error instanceof DelegationError) return error;
    throw error;
  }
  throw new Error(`parse accepted ${JSON.stringify(given.slice(0, 80))}`);
}

const skipReason = kernelSkipReason();
if (skipReason !== null) {
  console.warn(`skipping live mount data limit comparison: ${skipReason}`);
}

describe("mount data rows", () => {
  it("cut strings are longer than the limit", () => {
    for (const row of ROWS.filter((candidate) => candidate.rule !== "4095 bytes pass whole" && candidate.rule !== "4095-byte number")) {
      expect(Buffer.byteLength(row.given), row.rule).toBeGreaterThan(MAX_BYTES);
    }
  });

  it("whole strings are exactly the limit", () => {
    expect(Buffer.byteLength(ROWS[0]?.given ?? "")).toBe(MAX_BYTES);
    expect(Buffer.byteLength(ROWS.find((row) => row.rule === "4095-byte number")?.given ?? "")).toBe(MAX_BYTES);
  });
});

describe.skipIf(skipReason !== null)("mount data limits on the running kernel", () => {
  afterAll(async () => {
    expect(await sweepBpffsMounts()).toEqual([]);
  });

  it.each(ROWS)("$rule", async ({ given, want }) => {
    const result = await mountBpffs(given);
    const observed: Outcome = result.ok ? result.delegate : { errno: result.errno as Errno };

    expect(observed, "kernel against the pinned want").toEqual(want);
    expect(predict(given), "parse and format against the kernel").toEqual(observed);
  });
});

describe("mount data limits predicted without a kernel", () => {
  it.each([...ROWS, ...NUL_ROWS])("$rule", ({ given, want }) => {
    expect(predict(given)).toEqual(want);
  });
});

describe("parse beyond 4095 bytes", () => {
  const given = `delegate_cmds=map_create,${padding(4051)},delegate_progs=0x40`;

  it("warns where the kernel cut", () => {
    const warnings = parse(given, { kernel: KERNEL }).diagnostics.filter((diagnostic) => diagnostic.severity === "warning");
    const cut = warnings.find((diagnostic) => diagnostic.code === "truncated-input");

    expect(cut?.position).toBe(4096);
    expect(cut?.token).toBe("0");
    expect(cut?.message).toBe(
      "input: option string is 4096 bytes in UTF-8, but mount(2) passes at most 4095, so the kernel ignores everything from column 4096 on - shorten it to 4095 bytes",
    );
  });

  it("rejects a cut in strict mode", () => {
    const error = parseError(given, { mode: "strict" });

    expect(error.code).toBe("truncated-input");
    expect(error.errno).toBeNull();
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const result = parse(`delegate_cmds=any,${"é".repeat(2100)}`, { kernel: KERNEL });
    const cut = result.diagnostics.find((diagnostic) => diagnostic.code === "truncated-input");

    // 18 ASCII bytes leave 4077 bytes, room for 2038 whole characters and 1 byte of the next.
    expect(cut?.position).toBe(19 + 2038);
    expect(cut?.message).toContain("after the first 1 of the 2 UTF-8 bytes of U+00E9 at column 2057");
  });

  it("blames the cut for a split token", () => {
    const error = parseError(padTo(MAX_BYTES - MAP_CREATE_OPTION.length - 1, `${MAP_CREATE_OPTION}é`));

    expect(error.errno).toBe("EINVAL");
    expect(error.message).toMatch(/\(EINVAL\) because mount\(2\) passes at most 4095 bytes, so the kernel cut this token at column 4095 - shorten/);
  });

  it("does not blame a cut at a comma", () => {
    const error = parseError(`${padTo(MAX_BYTES - 19, "delegate_cmds=bogus")},delegate_maps=any`);

    expect(error.message).toContain("is not a command name or a number (EINVAL) - ");
    expect(error.message).not.toContain("cut this token");
  });

  it("cuts a single value after OPTION=", () => {
    const fits = `${"0".repeat(MAX_BYTES - 16)}33`;
    const cut = `${"0".repeat(MAX_BYTES - 15)}33`;

    expect(predict(fits, { option: "delegate_cmds" })).toBe(predict(`delegate_cmds=${fits}`));
    expect(predict(cut, { option: "delegate_cmds" })).toBe(predict(`delegate_cmds=${cut}`));
    const diagnostic = parse(cut, { kernel: KERNEL, option: "delegate_cmds" }).diagnostics[0];
    expect(diagnostic?.code).toBe("truncated-input");
    expect(diagnostic?.option).toBe("delegate_cmds");
    expect(diagnostic?.position).toBe(cut.length);
    expect(diagnostic?.message).toContain("delegate_cmds=VALUE is 4096 bytes");
  });
});

describe("parse at a NUL", () => {
  it("warns and ignores the rest", () => {
    const result = parse("delegate_cmds=any\0,ro,delegate_maps=bogus", { kernel: KERNEL });
    const warning = result.diagnostics.find((diagnostic) => diagnostic.code === "nul-character");

    expect(result.masks.maps).toBe(0n);
    expect(warning?.severity).toBe("warning");
    expect(warning?.position).toBe(18);
    expect(warning?.message).toContain("the 23 characters after it");
  });

  it("rejects a NUL in strict mode", () => {
    const error = parseError("delegate_cmds=any\0", { mode: "strict" });

    expect(error.code).toBe("nul-character");
    expect(error.errno).toBeNull();
  });

  it("cuts a single value at a NUL", () => {
    expect(parse("map_create\0:bogus", { kernel: KERNEL, option: "delegate_cmds" }).masks.cmds).toBe(1n);
    expect(parseError("\0map_create", { option: "delegate_cmds" }).code).toBe("missing-value");
  });
});
