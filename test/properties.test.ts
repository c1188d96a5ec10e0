/**
 * Property tests of the option parser and formatter against every shipped
 * table, with fast-check. Each property runs BPF_UAPI_PROPERTY_RUNS times
 * (default 100,000). A longer run:
 *
 *   BPF_UAPI_PROPERTY_RUNS=2000000 npx vitest run test/properties.test.ts
 *
 * fast-check prints the seed and the shrunk counterexample of a failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KERNEL_TABLES, KERNELS, type Kernel } from "../generated/index.js";
import { MASK_KEYS, type DelegateOption } from "../src/enums.js";
import { BpfUapiError, DelegationError } from "../src/errors.js";
import { format } from "../src/format.js";
import { parse, type DelegateMasks, type ParseMode, type ParseOptions, type ParseResult } from "../src/parse.js";

const RUNS_ENV = "BPF_UAPI_PROPERTY_RUNS";
const DEFAULT_RUNS = 100_000;
const U64_MAX = (1n << 64n) - 1n;

/** Runs per property: $BPF_UAPI_PROPERTY_RUNS, or 100,000. */
function propertyRuns(): number {
  const text = process.env[RUNS_ENV];
  if (text === undefined || text === "") return DEFAULT_RUNS;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`${RUNS_ENV}=${JSON.stringify(text)} is not a positive integer - set it to a run count such as 2000000`);
  }
  return runs;
}

const RUNS = propertyRuns();
// A property took 3 to 12 s at 100,000 runs on a loaded 2-core machine, so
// the timeout grows with the run count.
const PROPERTY_TIMEOUT_MS = Math.max(60_000, RUNS * 2);

const DELEGATION_KERNELS: readonly Kernel[] = KERNELS.filter((kernel) => KERNEL_TABLES[kernel].delegation);
const OPTIONS: readonly DelegateOption[] = MASK_KEYS.map((key) => `delegate_${key}` as const);
const MODES: readonly ParseMode[] = ["kernel", "strict"];

/** Every name of every shipped table, including aliases and out-of-domain names. */
const ALL_NAMES: readonly string[] = [
  ...new Set(KERNELS.flatMap((kernel) => MASK_KEYS.flatMap((key) => KERNEL_TABLES[kernel][key].names.map((entry) => entry.name)))),
].sort();

/** The outcome of one parse call: its result, or what it threw. */
type Outcome = { ok: true; result: ParseResult } | { ok: false; error: unknown };

function attempt(input: string, options: ParseOptions): Outcome {
  try {
    return { ok: true, result: parse(input, options) };
  } catch (error) {
    return { ok: false, error };
  }
}

function warningCount(result: ParseResult): number {
  return result.diagnostics.filter((diagnostic) => diagnostic.severity === "warning").length;
}

/** Returns the masks the kernel stores after parsing its own output for `masks`. */
function expectedRoundTrip(masks: DelegateMasks, kernel: Kernel): DelegateMasks {
  const expected: DelegateMasks = { cmds: 0n, maps: 0n, progs: 0n, attachs: 0n };
  for (const key of MASK_KEYS) {
    const anyMask = KERNEL_TABLES[kernel][key].anyMask;
    const belowSentinel = masks[key] & anyMask;
    expected[key] = belowSentinel === anyMask ? U64_MAX : belowSentinel;
  }
  return expected;
}

// Arbitraries. Each is cheap to generate, so 100,000 runs stay within seconds.

const kernelArbitrary = fc.constantFrom(...KERNELS);
const delegationKernelArbitrary = fc.constantFrom(...DELEGATION_KERNELS);
const modeArbitrary = fc.constantFrom(...MODES);
const optionArbitrary = fc.option(fc.constantFrom(...OPTIONS), { nil: undefined });

/**
 * A u64 mask: uniform 64-bit values, which set about half of the high bits,
 * plus small values, sparse bit sets and each table's exact any mask, which a
 * uniform draw almost never hits.
 */
const anyMasks = [...new Set(KERNELS.flatMap((kernel) => MASK_KEYS.map((key) => KERNEL_TABLES[kernel][key].anyMask)))];
const maskArbitrary = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.bigInt({ min: 0n, max: 0xffffn }),
  fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 4 }).map((bits) => bits.reduce((mask, bit) => mask | (1n << BigInt(bit)), 0n)),
  fc.constantFrom(0n, U64_MAX, ...anyMasks),
);
const masksArbitrary = fc.record({ cmds: maskArbitrary, maps: maskArbitrary, progs: maskArbitrary, attachs: maskArbitrary });

/** Numbers the way a user might write them, valid for kstrtou64 or not. */
const numberArbitrary = fc.oneof(
  fc.bigInt({ min: 0n, max: 1n << 70n }).map((value) => value.toString()),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map((value) => `0x${value.toString(16)}`),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map((value) => `0${value.toString(8)}`),
  fc.constantFrom("0x", "0X1F", "+1", "-1", " 1", "1\n", "1\n\n", "09", "18446744073709551615", "18446744073709551616", "0x1g"),
);

/** A piece of an option string: real names and option keys in any case, separators and numbers. */
const pieceArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ALL_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...ALL_NAMES).map((name) => name.toUpperCase()) },
  { weight: 2, arbitrary: fc.constantFrom(...OPTIONS, "uid", "gid", "mode", "source", "rw", "x-systemd.automount", "comment", "any", "") },
  { weight: 6, arbitrary: fc.constantFrom(",", ":", "=", "=", ":") },
  { weight: 2, arbitrary: numberArbitrary },
  { weight: 1, arbitrary: fc.constantFrom("\0", "\n", "İ", "\u212a", "ſ", "\ud800", "__proto__", "constructor") },
);
const builtInputArbitrary = fc.array(pieceArbitrary, { maxLength: 24 }).map((pieces) => pieces.join(""));

/**
 * Strings of 4000 to 4095 bytes before built pieces, so mount(2)'s 4095-byte
 * limit cuts the pieces anywhere. The filler is one zero value, which draws
 * no warning from a kernel with delegation.
 */
const nearLimitArbitrary = fc
  .tuple(fc.integer({ min: 4000, max: 4095 }), builtInputArbitrary)
  .map(([bytes, tail]) => `delegate_cmds=${"0".repeat(bytes - 15)},${tail}`);

/** UTF-16 code units, lone surrogates included, which the 'binary' unit leaves out. */
const codeUnitArbitrary = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Input strings: ASCII, any code point, any code unit, and strings built from real names. */
const inputArbitrary = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: codeUnitArbitrary, maxLength: 40 }),
  { weight: 4, arbitrary: builtInputArbitrary },
  nearLimitArbitrary,
);

describe("format then parse", () => {
  // parse returns `any` as all 64 bits, so a mask that is exactly the any
  // mask comes back as 2^64-1. Comparing only `parsed & anyMask` would also
  // hide stray bits above the sentinel in every other mask, so this property
  // checks the whole parsed mask: all 64 bits for the any mask, else exactly
  // `m & anyMask`.
  //
  // The kernel's own output is not always parseable back: when a mask has a
  // bit below the sentinel that no name covers, it prints that bit as a
  // trailing `:0x..` number, which replaces the names before it on parsing.
  // No shipped table has such a gap (every bit of each any mask has an
  // in-domain name, as "tables have no unnamed bits" checks), so no number
  // ever follows names here.
  it("tables have no unnamed bits", () => {
    for (const kernel of KERNELS) {
      for (const key of MASK_KEYS) {
        const table = KERNEL_TABLES[kernel][key];
        const named = table.names
          .filter((entry) => entry.outOfDomainValue === undefined)
          .reduce((mask, entry) => mask | (1n << BigInt(entry.bit)), 0n);
        expect(table.anyMask & ~named, `${kernel} ${key}`).toBe(0n);
      }
    }
  });

  it(
    "returns the masks below the sentinel",
    () => {
      fc.assert(
        fc.property(masksArbitrary, delegationKernelArbitrary, (masks, kernel) => {
          const parsed = parse(format(masks, { kernel }), { kernel, mode: "strict" });
          expect(parsed.masks).toEqual(expectedRoundTrip(masks, kernel));
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it("prints nothing without delegation", () => {
    for (const kernel of KERNELS.filter((label) => !KERNEL_TABLES[label].delegation)) {
      expect(format({ cmds: U64_MAX, maps: 1n, progs: 2n, attachs: 3n }, { kernel })).toBe("");
    }
  });
});

describe("parse errors", () => {
  it(
    "throws only BpfUapiError",
    () => {
      fc.assert(
        fc.property(inputArbitrary, kernelArbitrary, modeArbitrary, optionArbitrary, (input, kernel, mode, option) => {
          const outcome = attempt(input, { kernel, mode, option });
          if (outcome.ok) return;

          expect(outcome.error).toBeInstanceOf(BpfUapiError);
          // In kernel mode every rejection is one the kernel makes, so it carries the errno.
          if (mode === "kernel" && outcome.error instanceof DelegationError) {
            expect(outcome.error.errno).not.toBeNull();
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("strict mode", () => {
  it(
    "accepts what kernel accepts without warnings",
    () => {
      fc.assert(
        fc.property(inputArbitrary, kernelArbitrary, optionArbitrary, (input, kernel, option) => {
          const strict = attempt(input, { kernel, mode: "strict", option });
          const lenient = attempt(input, { kernel, mode: "kernel", option });

          if (strict.ok) {
            expect(lenient.ok).toBe(true);
            if (!lenient.ok) return;
            expect(lenient.result.masks).toEqual(strict.result.masks);
            expect(warningCount(lenient.result)).toBe(0);
            expect(warningCount(strict.result)).toBe(0);
          } else if (lenient.ok && warningCount(lenient.result) === 0) {
            expect.fail(`strict mode rejected ${JSON.stringify(input)}, which kernel mode accepts without warnings`);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("format output", () => {
  /** The in-domain names of each table, which are the names format may print. */
  const printableNames = new Map<string, ReadonlySet<string>>(
    KERNELS.flatMap((kernel) =>
      MASK_KEYS.map((key) => {
        const names = KERNEL_TABLES[kernel][key].names.filter((entry) => entry.outOfDomainValue === undefined);
        return [`${kernel} delegate_${key}`, new Set(names.map((entry) => entry.name))] as const;
      }),
    ),
  );

  /** Returns the tokens of `printed` that are neither `any` nor a printable name of their option. */
  function foreignTokens(printed: string, kernel: Kernel): string[] {
    const foreign: string[] = [];
    for (const item of printed === "" ? [] : printed.split(",")) {
      const [option = "", value = ""] = item.split("=");
      const names = printableNames.get(`${kernel} ${option}`);
      for (const token of value.split(":")) {
        if (token !== "any" && names?.has(token) !== true) foreign.push(`${option}=${token}`);
      }
    }
    return foreign;
  }

  it(
    "is stable and uses table names",
    () => {
      fc.assert(
        fc.property(masksArbitrary, kernelArbitrary, (masks, kernel) => {
          const printed = format(masks, { kernel });

          expect(format(masks, { kernel })).toBe(printed);
          expect(format(parse(printed, { kernel }).masks, { kernel })).toBe(printed);
          expect(foreignTokens(printed, kernel)).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("object property names", () => {
  const PROPERTY_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "prototype"];
  const cases = DELEGATION_KERNELS.flatMap((kernel) =>
    OPTIONS.flatMap((option) => PROPERTY_NAMES.map((name) => ({ kernel, option, name }))),
  );

  /** Returns the DelegationError of `parse`, failing when it returns or throws something else. */
  function rejection(input: string, options: ParseOptions): DelegationError {
    const outcome = attempt(input, options);
    if (outcome.ok) expect.fail(`parse accepted ${JSON.stringify(input)}`);
    if (!(outcome.error instanceof DelegationError)) throw outcome.error;
    return outcome.error;
  }

  it.each(cases)("$kernel $option=$name is unknown", ({ kernel, option, name }) => {
    const error = rejection(`${option}=${name}`, { kernel });

    expect(error.code).toBe("invalid-token");
    expect(error.errno).toBe("EINVAL");
    expect(error.token).toBe(name);
  });

  it.each(cases)("$kernel $name as $option value is unknown", ({ kernel, option, name }) => {
    const error = rejection(name, { kernel, option });

    expect(error.code).toBe("invalid-token");
    expect(error.errno).toBe("EINVAL");
  });

  it.each(PROPERTY_NAMES)("option key %s is unknown", (name) => {
    const lenient = parse(`${name}=1`, { kernel: "6.18" });
    const error = rejection(`${name}=1`, { kernel: "6.18", mode: "strict" });

    expect(lenient.masks).toEqual({ cmds: 0n, maps: 0n, progs: 0n, attachs: 0n });
    expect(lenient.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["unknown-option"]);
    expect(error.code).toBe("unknown-option");
  });

  it.each(PROPERTY_NAMES)("kernel label %s is unknown", (name) => {
    const outcome = attempt("", { kernel: name });

    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? null : outcome.error).toBeInstanceOf(BpfUapiError);
    expect(outcome.ok ? null : (outcome.error as BpfUapiError).code).toBe("unknown-kernel");
  });

  it.each(PROPERTY_NAMES)("option argument %s is invalid", (name) => {
    // The cast stands for a JavaScript caller, which the type does not bind.
    const outcome = attempt("any", { option: name as DelegateOption });

    expect(outcome.ok ? null : (outcome.error as BpfUapiError).code).toBe("invalid-option");
  });
});

describe("long inputs", () => {
  const attachNames = KERNEL_TABLES["6.18"].attachs.names.filter((entry) => entry.outOfDomainValue === undefined).map((entry) => entry.name);

  /** Returns `count` attach type names, cycling through the 6.18 table. */
  function attachTokens(count: number): string[] {
    return Array.from({ length: count }, (_, index) => attachNames[index % attachNames.length] ?? "");
  }

  /**
   * Returns the fastest of `repeats` timings of parsing each input, in
   * milliseconds. Runs of the inputs alternate, so load from other processes
   * and garbage collection of earlier tests fall on both alike.
   */
  function fastestTimes(inputs: readonly string[], repeats: number): number[] {
    const best = inputs.map(() => Number.POSITIVE_INFINITY);
    for (let repeat = 0; repeat < repeats; repeat++) {
      inputs.forEach((input, index) => {
        const started = performance.now();
        attempt(input, { kernel: "6.18" });
        best[index] = Math.min(best[index] ?? Number.POSITIVE_INFINITY, performance.now() - started);
      });
    }
    return best;
  }

  // mount(2) passes at most 4095 bytes, so parse cuts each of these inputs
  // there, warns once and parses only the part the kernel sees.
  it("cuts a 1 MB value", () => {
    const tokens = attachTokens(80_000);
    const input = `delegate_attachs=${tokens.join(":")}`;
    const lenient = attempt(input, { kernel: "6.18" });
    const strict = attempt(input, { kernel: "6.18", mode: "strict" });

    expect(input.length).toBeGreaterThan(1_000_000);
    const diagnostics = lenient.ok ? lenient.result.diagnostics : (lenient.error as DelegationError).diagnostics;
    expect(diagnostics[0]?.code).toBe("truncated-input");
    expect(strict.ok ? null : (strict.error as BpfUapiError).code).toBe("truncated-input");
  });

  it("rejects a 1 MB token as cut", () => {
    const token = "x".repeat(1_000_000);
    const outcome = attempt(`delegate_cmds=${token}`, { kernel: "6.18" });
    const error = outcome.ok ? null : outcome.error;

    expect(error).toBeInstanceOf(DelegationError);
    expect((error as DelegationError).code).toBe("invalid-token");
    expect((error as DelegationError).token).toHaveLength(4095 - "delegate_cmds=".length);
    expect((error as DelegationError).message.length).toBeLessThan(1_000);
  });

  it("rejects a 1 MB number", () => {
    const outcome = attempt(`delegate_cmds=1${"0".repeat(1_000_000)}`, { kernel: "6.18" });

    expect(outcome.ok ? null : (outcome.error as BpfUapiError).code).toBe("number-out-of-range");
  });

  it("warns on the unknown options within the limit", () => {
    const input = Array.from({ length: 100_000 }, (_, index) => `option${index}`).join(",");
    const result = parse(input, { kernel: "6.18" });
    const [first, ...rest] = result.diagnostics;

    expect(first?.code).toBe("truncated-input");
    expect(rest.length).toBeGreaterThan(400);
    expect(rest.every((diagnostic) => diagnostic.code === "unknown-option")).toBe(true);
  });

  // The ratio of 8n to n tokens is about 8 for linear time and 64 for
  // quadratic time. The fastest of five alternating runs keeps most noise
  // out, and a limit of 24 leaves room for the rest (another test file may
  // load the other core) while still failing quadratic growth.
  it.each([
    { given: "names", build: (count: number) => `delegate_attachs=${attachTokens(count).join(":")}` },
    { given: "options", build: (count: number) => attachTokens(count).map((name) => `delegate_attachs=${name}`).join(",") },
    { given: "unknown options", build: (count: number) => attachTokens(count).join(",") },
    { given: "empty items", build: (count: number) => ",".repeat(count) },
  ])("time is linear in $given", ({ build }) => {
    const [smallMs = 0, largeMs = 0] = fastestTimes([build(25_000), build(200_000)], 5);

    expect(largeMs / Math.max(smallMs, 1)).toBeLessThan(24);
  });
});
