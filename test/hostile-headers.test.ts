/**
 * Unusual and malformed headers, each written for this test, through both
 * extraction paths (the fast path over the ranges regions.ts finds, and
 * `fullParse`). Each case states the enumerators and values it must give, or
 * the exact located errors. Where `cc` exists, the C compiler referee checks
 * every case: it must give the same values, reject a header the generator
 * rejects, or, for a case marked `divergence`, do the opposite of the
 * generator for the reason given there.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENUM_SPECS } from "../src/enums.js";
import { buildModel } from "../generator/classify.js";
import { GeneratorErrors } from "../generator/errors.js";
import { extractEnums } from "../generator/extract.js";
import { decodeHeader, type HeaderText } from "../generator/source.js";
import { ccSkipReason, compilerEnumerators, EnumNotDefinedError } from "./support/cc.js";

/** The file name every case is read as, so messages do not depend on a temporary path. */
const FILE = "hostile.h";

/** Enumerators by enum tag, each enum's members in declaration order. */
type EnumValues = Readonly<Record<string, Readonly<Record<string, bigint>>>>;

/** One located error: the message `FILE:LINE:COL: ...` and the source line it quotes. */
type LocatedError = readonly [message: string, sourceLine: string];

interface HostileCase {
  readonly name: string;
  /** The header text, or its bytes where the case needs bytes that are not UTF-8. */
  readonly given: string | Uint8Array;
  /** Macros defined before the header, as `-D NAME=VALUE` defines them. */
  readonly defines?: Readonly<Record<string, string>>;
  readonly want: { readonly enums: EnumValues } | { readonly errors: readonly LocatedError[] };
  /** Also build the model, which reports a required enum that the header lacks. */
  readonly model?: boolean;
  /**
   * Why GCC accepts a header the generator rejects, or rejects one it
   * accepts. Without it, GCC must agree with the generator.
   */
  readonly divergence?: string;
}

/** The raw text of a template literal, so C backslashes stay as written, without the first newline. */
function c(strings: TemplateStringsArray, ...values: string[]): string {
  const text = String.raw({ raw: strings.raw }, ...values);
  return text.startsWith("\n") ? text.slice(1) : text;
}

/** Concatenates text and raw bytes into one header. */
function bytes(...parts: ReadonlyArray<string | readonly number[]>): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));
}

const MORE_REQUIRED_ENUMS = c`
enum bpf_map_type { BPF_MAP_TYPE_UNSPEC };
enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC };
enum bpf_attach_type { BPF_CGROUP_INET_INGRESS };
`;

const CASES: readonly HostileCase[] = [
  // Structure: where a definition stands and what is mistaken for one.
  {
    name: "plain enum counts from zero",
    given: c`
enum bpf_cmd { BPF_A, BPF_B, BPF_C };
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_B: 1n, BPF_C: 2n } } },
  },
  {
    name: "truncated mid-enum",
    given: c`
enum bpf_cmd {
  BPF_A,
  BPF_B = `,
    want: {
      errors: [[`${FILE}:1:1: enum bpf_cmd: syntax error in the definition - fix the C syntax of this enum`, "enum bpf_cmd {"]],
    },
  },
  {
    name: "missing target enum",
    given: c`
enum bpf_cmd;
struct holder { enum bpf_cmd *cmd; };
int run(enum bpf_cmd cmd);
${MORE_REQUIRED_ENUMS}`,
    model: true,
    want: {
      errors: [[`${FILE}:1:1: enum bpf_cmd: not found - the header must define it (is this include/uapi/linux/bpf.h?)`, ""]],
    },
  },
  {
    name: "forward use in a struct before the definition",
    given: c`
struct holder { enum bpf_cmd *cmd; };
enum bpf_cmd { BPF_A = 7 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 7n } } },
  },
  {
    name: "incomplete enum member before the definition",
    given: c`
struct holder { enum bpf_cmd cmd; };
enum bpf_cmd { BPF_A = 7 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 7n } } },
    divergence:
      "GCC rejects the struct member, whose type is still incomplete. The generator does not type-check " +
      "declarations outside the enums, and the definition after it has these values in any compiler.",
  },
  {
    name: "prototype naming the enum first",
    given: c`
enum bpf_cmd;
int run(enum bpf_cmd cmd);
enum bpf_cmd { BPF_A, BPF_B };
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_B: 1n } } },
  },
  {
    name: "typedef of the definition",
    given: c`
typedef enum bpf_cmd { BPF_A = 2, BPF_B } bpf_cmd_t;
`,
    want: { enums: { bpf_cmd: { BPF_A: 2n, BPF_B: 3n } } },
  },
  {
    name: "attribute between enum and tag",
    given: c`
enum __attribute__((packed)) bpf_cmd { BPF_A = 1, BPF_B };
`,
    want: { enums: { bpf_cmd: { BPF_A: 1n, BPF_B: 2n } } },
  },
  {
    name: "enum defined inside a struct",
    given: c`
struct outer {
  int before;
  enum bpf_cmd { BPF_A = 2, BPF_B } cmd;
  int after;
};
`,
    want: { enums: { bpf_cmd: { BPF_A: 2n, BPF_B: 3n } } },
  },
  {
    name: "unnamed enum of BPF_ names beside",
    given: c`
enum { BPF_ANY, BPF_NOEXIST, BPF_EXIST };
enum bpf_cmd { BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM };
enum { BPF_F_LOCK = 4 };
`,
    want: { enums: { bpf_cmd: { BPF_MAP_CREATE: 0n, BPF_MAP_LOOKUP_ELEM: 1n } } },
  },
  {
    name: "enum defined twice",
    given: c`
enum bpf_cmd { BPF_A };
enum bpf_cmd { BPF_B };
`,
    want: {
      errors: [[`${FILE}:2:6: enum bpf_cmd: defined again - the first definition is at line 1`, "enum bpf_cmd { BPF_B };"]],
    },
  },
  {
    name: "enum defined in exclusive branches",
    given: c`
#ifdef OLD_LAYOUT
enum bpf_cmd { BPF_OLD };
#else
enum bpf_cmd { BPF_NEW = 3 };
#endif
`,
    want: { enums: { bpf_cmd: { BPF_NEW: 3n } } },
  },
  {
    name: "duplicate enumerator",
    given: c`
enum bpf_cmd {
  BPF_A,
  BPF_B,
  BPF_A,
};
`,
    want: {
      errors: [
        [`${FILE}:4:3: enum bpf_cmd: BPF_A: redeclaration of enumerator BPF_A - C allows each name once`, "  BPF_A,"],
      ],
    },
  },
  {
    name: "enumerator declared in two target enums",
    given: c`
enum bpf_map_type { BPF_SHARED };
enum bpf_cmd { BPF_SHARED };
`,
    want: {
      errors: [
        [
          `${FILE}:2:16: enum bpf_cmd: BPF_SHARED: redeclaration of enumerator BPF_SHARED - C allows each name once`,
          "enum bpf_cmd { BPF_SHARED };",
        ],
      ],
    },
  },
  {
    name: "empty enum body",
    given: c`
enum bpf_cmd { };
`,
    want: {
      errors: [[`${FILE}:1:14: enum bpf_cmd: no enumerators - C requires at least one`, "enum bpf_cmd { };"]],
    },
  },

  // Lexical traps: comments, strings, line endings and encodings.
  {
    name: "comments with look-alikes",
    given: c`
/* enum bpf_cmd { BPF_FAKE = 99 }; /* looks like a nested opener */
// enum bpf_cmd { BPF_FAKE2 }; */
enum bpf_cmd {
  BPF_A, /* } ; */
  BPF_B, // }
  /* **/ BPF_C = 5 /*/ still one comment */,
};
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_B: 1n, BPF_C: 5n } } },
  },
  {
    name: "strings and chars with braces",
    given: c`
static const char brace_text[] = "enum bpf_cmd { \"}\" }";
enum bpf_cmd { BPF_A = '{', BPF_B = '}', BPF_C = '"' };
`,
    want: { enums: { bpf_cmd: { BPF_A: 123n, BPF_B: 125n, BPF_C: 34n } } },
  },
  {
    name: "CRLF line endings",
    given: c`
#define WIDE (1 + \
  2)
#if 0
enum bpf_cmd { BPF_GONE };
#endif
enum bpf_cmd {
  BPF_A = WIDE,
  BPF_B,
};
`.replaceAll("\n", "\r\n"),
    want: { enums: { bpf_cmd: { BPF_A: 3n, BPF_B: 4n } } },
  },
  {
    name: "CRLF error location",
    given: "enum bpf_cmd {\r\n  BPF_A,\r\n  BPF_B = nope,\r\n};\r\n",
    want: {
      errors: [
        [
          `${FILE}:3:11: enum bpf_cmd: BPF_B: undefined identifier nope - it is neither an earlier enumerator nor a macro defined in this header`,
          "  BPF_B = nope,",
        ],
      ],
    },
  },
  {
    name: "UTF-8 byte order mark",
    given: "\uFEFFenum bpf_cmd { BPF_A = 1, BPF_B };\n",
    want: { enums: { bpf_cmd: { BPF_A: 1n, BPF_B: 2n } } },
  },
  {
    name: "invalid UTF-8 in a comment",
    given: bytes("/* Latin-1 caf", [0xe9], " */\nenum bpf_cmd { BPF_A, /* ", [0xff, 0xfe], " */ BPF_B };\n"),
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_B: 1n } } },
  },
  {
    name: "invalid UTF-8 in an identifier",
    given: bytes("enum bpf_cmd {\n  BPF_", [0xff], "A = 1,\n};\n"),
    want: {
      errors: [
        [
          `${FILE}:2:7: enum bpf_cmd: invalid UTF-8 byte - C identifiers and literals here must be ASCII, so remove the byte`,
          "  BPF_\uFFFDA = 1,",
        ],
      ],
    },
  },
  {
    name: "unterminated comment after the enum",
    given: c`
enum bpf_cmd { BPF_A };
/* never closed
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n } } },
    divergence:
      "GCC rejects the file for the comment that is never closed. The generator reads only the directives " +
      "and the enum, which ends before the comment, so its values are the enum's values in any compiler.",
  },

  // Macros.
  {
    name: "object-like macro",
    given: c`
#define BASE 10
enum bpf_cmd { BPF_A = BASE, BPF_B = BASE * 2 + 1, BPF_C };
`,
    want: { enums: { bpf_cmd: { BPF_A: 10n, BPF_B: 21n, BPF_C: 22n } } },
  },
  {
    name: "nested macros keep token precedence",
    given: c`
#define ONE_PLUS_TWO 1 + TWO
#define TWO 2
enum bpf_cmd { BPF_A = ONE_PLUS_TWO * 3 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 7n } } },
  },
  {
    name: "self-referential macro naming an enumerator",
    given: c`
enum bpf_cmd {
  BPF_A = 4,
  BPF_B,
};
#define BPF_A BPF_A
enum bpf_map_type { BPF_MAP_TYPE_A = BPF_A + 1 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 4n, BPF_B: 5n }, bpf_map_type: { BPF_MAP_TYPE_A: 5n } } },
  },
  {
    name: "define inside an enum body",
    given: c`
enum bpf_cmd {
  BPF_A = 4,
#define BPF_A BPF_A
  BPF_B = BPF_A + 1,
};
`,
    want: {
      errors: [
        [
          `${FILE}:3:1: enum bpf_cmd: #define inside the enum body is not supported - move it before or after the enum`,
          "#define BPF_A BPF_A",
        ],
      ],
    },
    divergence:
      "GCC gives BPF_B the value 5. tree-sitter-c 0.24 has no place for #define in an enumerator list and " +
      "misreads the list around it, so the generator reports the directive.",
  },
  {
    name: "self-referential macro naming nothing",
    given: c`
#define LOOP LOOP + 1
enum bpf_cmd { BPF_A = LOOP };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: undefined identifier LOOP - it is neither an earlier enumerator nor a macro defined in this header (after macro expansion: LOOP + 1)`,
          "enum bpf_cmd { BPF_A = LOOP };",
        ],
      ],
    },
  },
  {
    name: "function-like macro",
    given: c`
#define BIT(n) (1 << (n))
enum bpf_cmd { BPF_A = BIT(3) };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: BIT is a function-like macro, which this generator does not expand`,
          "enum bpf_cmd { BPF_A = BIT(3) };",
        ],
      ],
    },
    divergence: "GCC expands BIT(3) to 8. The generator expands only object-like macros and reports the call.",
  },
  {
    name: "line continuation in a define",
    given: c`
#define WIDE (1 + \
  2 \
  + 3)
enum bpf_cmd { BPF_A = WIDE };
`,
    want: { enums: { bpf_cmd: { BPF_A: 6n } } },
  },
  {
    name: "comment inside a define",
    given: c`
#define SUM 1 /* a comment
  across lines */ + 2
enum bpf_cmd { BPF_A = SUM };
`,
    want: { enums: { bpf_cmd: { BPF_A: 3n } } },
  },
  {
    name: "redefinition after undef",
    given: c`
#define VALUE 1
#undef VALUE
#define VALUE 2
enum bpf_cmd { BPF_A = VALUE };
`,
    want: { enums: { bpf_cmd: { BPF_A: 2n } } },
  },
  {
    name: "use after undef",
    given: c`
#define VALUE 1
#undef VALUE
enum bpf_cmd { BPF_A = VALUE };
`,
    want: {
      errors: [
        [
          `${FILE}:3:24: enum bpf_cmd: BPF_A: undefined identifier VALUE - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = VALUE };",
        ],
      ],
    },
  },
  {
    name: "macro defined after its use",
    given: c`
enum bpf_cmd { BPF_A = LATER };
#define LATER 1
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: undefined identifier LATER - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = LATER };",
        ],
      ],
    },
  },
  {
    name: "macro from another header",
    given: c`
#include <linux/types.h>
enum bpf_cmd { BPF_A = __BITS_PER_LONG };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: undefined identifier __BITS_PER_LONG - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = __BITS_PER_LONG };",
        ],
      ],
    },
    divergence: "GCC reads <linux/types.h> and finds __BITS_PER_LONG. The generator reads only this header.",
  },
  {
    name: "empty macro as initializer",
    given: c`
#define EMPTY
enum bpf_cmd { BPF_A = EMPTY };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: "" is not a valid C expression after macro expansion`,
          "enum bpf_cmd { BPF_A = EMPTY };",
        ],
      ],
    },
  },
  {
    name: "macro expanding to two enumerators",
    given: c`
#define ONE_AND_Z 1, BPF_Z
enum bpf_cmd { BPF_A = ONE_AND_Z };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: "1 , BPF_Z" is not a valid C expression after macro expansion`,
          "enum bpf_cmd { BPF_A = ONE_AND_Z };",
        ],
      ],
    },
    divergence:
      "GCC expands the initializer into two enumerators, BPF_A = 1 and BPF_Z = 2. The generator does not " +
      "re-read an enum's list after expansion, so it reports the macro instead of losing BPF_Z.",
  },
  {
    name: "enumerator name defined as a macro",
    given: c`
#define BPF_B 7
enum bpf_cmd { BPF_A, BPF_B };
`,
    want: {
      errors: [
        [
          `${FILE}:2:23: enum bpf_cmd: BPF_B: the enumerator name is a macro defined at line 1, so the preprocessor replaces it - undefine the macro or rename the enumerator`,
          "enum bpf_cmd { BPF_A, BPF_B };",
        ],
      ],
    },
  },
  {
    name: "macro expanding to a list of enumerators",
    given: c`
#define BPF_LIST BPF_A, BPF_B
enum bpf_cmd { BPF_LIST };
`,
    want: {
      errors: [
        [
          `${FILE}:2:16: enum bpf_cmd: BPF_LIST: the enumerator name is a macro defined at line 1, so the preprocessor replaces it - undefine the macro or rename the enumerator`,
          "enum bpf_cmd { BPF_LIST };",
        ],
      ],
    },
    divergence:
      "GCC expands BPF_LIST into BPF_A = 0 and BPF_B = 1. The generator does not re-read an enum's list " +
      "after expansion, so it reports the macro instead of naming an enumerator BPF_LIST.",
  },
  {
    name: "enum tag defined as a macro",
    given: c`
#define bpf_cmd bpf_cmd_renamed
enum bpf_cmd { BPF_A };
`,
    want: {
      errors: [
        [
          `${FILE}:2:6: enum bpf_cmd: the tag is a macro defined at line 1, so the preprocessor replaces it - undefine the macro`,
          "enum bpf_cmd { BPF_A };",
        ],
      ],
    },
    divergence: "GCC compiles this header, but the enum it defines is bpf_cmd_renamed, and no enum bpf_cmd exists.",
  },

  // Preprocessor conditionals.
  {
    name: "if 0 inside an enum",
    given: c`
enum bpf_cmd {
  BPF_A,
#if 0
  BPF_GONE,
#endif
  BPF_B,
};
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_B: 1n } } },
  },
  {
    name: "ifdef and else without defines",
    given: c`
enum bpf_cmd {
#ifdef __KERNEL__
  BPF_KERNEL_ONLY,
#else
  BPF_USER_ONLY,
#endif
  BPF_AFTER,
};
`,
    want: { enums: { bpf_cmd: { BPF_USER_ONLY: 0n, BPF_AFTER: 1n } } },
  },
  {
    name: "ifdef and else with a define",
    given: c`
enum bpf_cmd {
#ifdef __KERNEL__
  BPF_KERNEL_ONLY,
#else
  BPF_USER_ONLY,
#endif
  BPF_AFTER,
};
`,
    defines: { __KERNEL__: "1" },
    want: { enums: { bpf_cmd: { BPF_KERNEL_ONLY: 0n, BPF_AFTER: 1n } } },
  },
  {
    name: "elif chain",
    given: c`
#define LEVEL 2
enum bpf_cmd {
#if LEVEL == 1
  BPF_LEVEL_1,
#elif LEVEL == 2
  BPF_LEVEL_2 = 20,
#elif LEVEL == 3
  BPF_LEVEL_3,
#else
  BPF_LEVEL_OTHER,
#endif
  BPF_NEXT,
};
`,
    want: { enums: { bpf_cmd: { BPF_LEVEL_2: 20n, BPF_NEXT: 21n } } },
  },
  {
    name: "define value in an if",
    given: c`
enum bpf_cmd {
  BPF_A,
#if FEATURE > 2 && defined FEATURE
  BPF_FEATURE,
#endif
#ifndef FEATURE
  BPF_NO_FEATURE,
#endif
};
`,
    defines: { FEATURE: "3" },
    want: { enums: { bpf_cmd: { BPF_A: 0n, BPF_FEATURE: 1n } } },
  },
  {
    name: "enumerator name in an if is 0",
    given: c`
enum bpf_cmd {
  BPF_A = 5,
#if BPF_A == 5
  BPF_SEEN_BY_PREPROCESSOR,
#else
  BPF_ZERO_IN_IF,
#endif
};
`,
    want: { enums: { bpf_cmd: { BPF_A: 5n, BPF_ZERO_IN_IF: 6n } } },
  },
  {
    name: "elif after a taken branch is not evaluated",
    given: c`
enum bpf_cmd {
#if 1
  BPF_A,
#elif 1 / 0
  BPF_B,
#endif
};
`,
    want: { enums: { bpf_cmd: { BPF_A: 0n } } },
  },
  {
    name: "division by zero in an if",
    given: c`
enum bpf_cmd {
#if 1 / 0
  BPF_A,
#endif
  BPF_B,
};
`,
    want: {
      errors: [[`${FILE}:2:5: in #if condition: division by zero in 1 / 0`, "#if 1 / 0"]],
    },
  },
  {
    name: "undef inside an enum body",
    given: c`
#define STEP 10
enum bpf_cmd {
  BPF_A = STEP,
#undef STEP
#ifdef STEP
  BPF_STEP_STILL_DEFINED,
#endif
  BPF_B,
};
`,
    want: {
      errors: [
        [
          `${FILE}:4:1: enum bpf_cmd: #undef inside the enum body is not supported - move it before or after the enum`,
          "#undef STEP",
        ],
      ],
    },
    divergence: "GCC gives BPF_A 10 and BPF_B 11. The generator reports the directive, as for #define.",
  },
  {
    name: "active error directive",
    given: c`
#ifndef __KERNEL__
#error this header is for the kernel
#endif
enum bpf_cmd { BPF_A };
`,
    want: { errors: [[`${FILE}:2:1: #error this header is for the kernel`, "#error this header is for the kernel"]] },
  },
  {
    name: "missing endif",
    given: c`
#ifdef __KERNEL__
enum bpf_cmd { BPF_A };
`,
    want: { errors: [[`${FILE}:1:1: #ifdef without a matching #endif - add the #endif`, "#ifdef __KERNEL__"]] },
  },
  {
    name: "target enum only in #if 0",
    given: c`
#if 0
enum bpf_cmd { BPF_A };
#endif
${MORE_REQUIRED_ENUMS}`,
    model: true,
    want: {
      errors: [
        [
          `${FILE}:2:1: enum bpf_cmd: its definition is in an inactive #if branch, so the header defines no enum bpf_cmd - define the controlling macro with -D NAME`,
          "enum bpf_cmd { BPF_A };",
        ],
      ],
    },
  },

  // Evaluation: literals, operators and casts.
  {
    name: "char constants",
    given: c`
enum bpf_cmd { BPF_A = 'A', BPF_B = '\n', BPF_C = '\x7f', BPF_D = '\377', BPF_E = '\0', BPF_F = '\'' };
`,
    want: { enums: { bpf_cmd: { BPF_A: 65n, BPF_B: 10n, BPF_C: 127n, BPF_D: -1n, BPF_E: 0n, BPF_F: 39n } } },
  },
  {
    name: "multi-character constant",
    given: c`
enum bpf_cmd { BPF_A = 'ab' };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: unsupported character constant 'ab' (multi-character or non-ASCII)`,
          "enum bpf_cmd { BPF_A = 'ab' };",
        ],
      ],
    },
    divergence: "GCC gives 'ab' the implementation-defined value 24930 with a warning, so the generator reports it.",
  },
  {
    name: "octal and hex with suffixes",
    given: c`
enum bpf_cmd { BPF_A = 010, BPF_B = 0x10UL, BPF_C = 0777u, BPF_D = 0X1fLL, BPF_E = 0b101, BPF_F = 1ull, BPF_G = 0 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 8n, BPF_B: 16n, BPF_C: 511n, BPF_D: 31n, BPF_E: 5n, BPF_F: 1n, BPF_G: 0n } } },
  },
  {
    name: "invalid octal digit",
    given: c`
enum bpf_cmd { BPF_A = 08 };
`,
    want: {
      errors: [
        [`${FILE}:1:24: enum bpf_cmd: BPF_A: invalid digit in octal constant 08`, "enum bpf_cmd { BPF_A = 08 };"],
      ],
    },
  },
  {
    name: "unsigned wraparound",
    given: c`
enum bpf_cmd { BPF_A = 0u - 1, BPF_B = 0ul - 1 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 4294967295n, BPF_B: 18446744073709551615n } } },
  },
  {
    name: "shift into the sign bit",
    given: c`
enum bpf_cmd { BPF_A = 1 << 31, BPF_B = 1u << 31 };
enum bpf_map_type { BPF_MAP_TYPE_A = 1ULL << 63 };
`,
    want: {
      enums: {
        bpf_cmd: { BPF_A: -2147483648n, BPF_B: 2147483648n },
        bpf_map_type: { BPF_MAP_TYPE_A: 9223372036854775808n },
      },
    },
  },
  {
    name: "negative and above LONG_MAX in one enum",
    given: c`
enum bpf_cmd { BPF_A = -1, BPF_B = 1ULL << 63 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:28: enum bpf_cmd: BPF_B: the values -1 to 9223372036854775808 fit no single integer type - keep every value within long or within unsigned long`,
          "enum bpf_cmd { BPF_A = -1, BPF_B = 1ULL << 63 };",
        ],
      ],
    },
    divergence:
      "GCC warns that the values exceed the largest integer type and then reads BPF_B as -2^63, " +
      "which is not the value written, so the generator reports the enum.",
  },
  {
    name: "shift past 63 bits",
    given: c`
enum bpf_cmd { BPF_A = 1ULL << 64 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: shift count 64 is out of range for unsigned long, which has 64 bits`,
          "enum bpf_cmd { BPF_A = 1ULL << 64 };",
        ],
      ],
    },
    divergence: "GCC accepts 1ULL << 64 with a warning, but a shift by the type's width or more is undefined in C.",
  },
  {
    name: "int shift by 32",
    given: c`
enum bpf_cmd { BPF_A = 1 << 32 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: shift count 32 is out of range for int, which has 32 bits`,
          "enum bpf_cmd { BPF_A = 1 << 32 };",
        ],
      ],
    },
    divergence: "GCC accepts 1 << 32 with a warning, but a shift by the type's width or more is undefined in C.",
  },
  {
    name: "negative shift count",
    given: c`
enum bpf_cmd { BPF_A = 1 >> -1 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: shift count -1 is out of range for int, which has 32 bits`,
          "enum bpf_cmd { BPF_A = 1 >> -1 };",
        ],
      ],
    },
  },
  {
    name: "constant past 2^64",
    given: c`
enum bpf_cmd { BPF_A = 0x10000000000000000 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: integer constant 0x10000000000000000 is too large for any integer type (the maximum is 2^64-1)`,
          "enum bpf_cmd { BPF_A = 0x10000000000000000 };",
        ],
      ],
    },
    divergence: "GCC warns that the constant is too large and truncates it to 0. The generator reports it.",
  },
  {
    name: "implicit value past 2^64-1",
    given: c`
enum bpf_cmd { BPF_A = 0xffffffffffffffff, BPF_B };
`,
    want: {
      errors: [
        [
          `${FILE}:1:44: enum bpf_cmd: BPF_B: value 18446744073709551616 is outside the range of every C integer type`,
          "enum bpf_cmd { BPF_A = 0xffffffffffffffff, BPF_B };",
        ],
      ],
    },
  },
  {
    name: "negative values",
    given: c`
enum bpf_cmd { BPF_A = -1, BPF_B, BPF_C = -2147483649, BPF_D, BPF_E = -9223372036854775807 - 1 };
`,
    want: {
      enums: {
        bpf_cmd: { BPF_A: -1n, BPF_B: 0n, BPF_C: -2147483649n, BPF_D: -2147483648n, BPF_E: -9223372036854775808n },
      },
    },
  },
  {
    name: "signed overflow",
    given: c`
enum bpf_cmd { BPF_A = 2147483647 + 1 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: signed overflow: 2147483647 + 1 does not fit in int`,
          "enum bpf_cmd { BPF_A = 2147483647 + 1 };",
        ],
      ],
    },
    divergence: "GCC wraps 2147483647 + 1 to -2147483648 with a warning, but signed overflow is undefined in C.",
  },
  {
    name: "values past int and the delegate bits",
    given: c`
enum bpf_cmd { BPF_A = 63, BPF_B, BPF_C = 0x80000000, BPF_D };
`,
    want: { enums: { bpf_cmd: { BPF_A: 63n, BPF_B: 64n, BPF_C: 2147483648n, BPF_D: 2147483649n } } },
  },
  {
    name: "ternary",
    given: c`
enum bpf_cmd { BPF_A = 1 ? 2 : 3, BPF_B = 0 ? 1u : -1, BPF_C = (BPF_A > 1) ? 10 : 20 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 2n, BPF_B: 4294967295n, BPF_C: 10n } } },
  },
  {
    name: "logical operators",
    given: c`
enum bpf_cmd { BPF_A = 1 && 2, BPF_B = 0 || 0, BPF_C = !5, BPF_D = 1 || 1 / 0, BPF_E = 0 && 1 / 0 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 1n, BPF_B: 0n, BPF_C: 0n, BPF_D: 1n, BPF_E: 0n } } },
  },
  {
    name: "division by zero",
    given: c`
enum bpf_cmd { BPF_A = 1, BPF_B = BPF_A / (BPF_A - 1) };
`,
    want: {
      errors: [
        [
          `${FILE}:1:35: enum bpf_cmd: BPF_B: division by zero in BPF_A / (BPF_A - 1)`,
          "enum bpf_cmd { BPF_A = 1, BPF_B = BPF_A / (BPF_A - 1) };",
        ],
      ],
    },
  },
  {
    name: "remainder by zero",
    given: c`
enum bpf_cmd { BPF_A = 5 % 0 };
`,
    want: {
      errors: [[`${FILE}:1:24: enum bpf_cmd: BPF_A: division by zero in 5 % 0`, "enum bpf_cmd { BPF_A = 5 % 0 };"]],
    },
  },
  {
    name: "undefined identifier",
    given: c`
enum bpf_cmd { BPF_A = BPF_NOT_DECLARED + 1 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: undefined identifier BPF_NOT_DECLARED - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = BPF_NOT_DECLARED + 1 };",
        ],
      ],
    },
  },
  {
    name: "enumerator used in its own initializer",
    given: c`
enum bpf_cmd { BPF_A = BPF_A + 1 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: undefined identifier BPF_A - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = BPF_A + 1 };",
        ],
      ],
    },
  },
  {
    name: "earlier enumerator of another target enum",
    given: c`
enum bpf_map_type { BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH };
enum bpf_cmd { BPF_A = BPF_MAP_TYPE_HASH + 1 };
`,
    want: {
      enums: {
        bpf_map_type: { BPF_MAP_TYPE_UNSPEC: 0n, BPF_MAP_TYPE_HASH: 1n },
        bpf_cmd: { BPF_A: 2n },
      },
    },
  },
  {
    name: "enumerator of an unnamed enum",
    given: c`
enum { BPF_F_BASE = 8 };
enum bpf_cmd { BPF_A = BPF_F_BASE };
`,
    want: {
      errors: [
        [
          `${FILE}:2:24: enum bpf_cmd: BPF_A: undefined identifier BPF_F_BASE - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = BPF_F_BASE };",
        ],
      ],
    },
    divergence:
      "GCC gives BPF_A the value 8. The generator evaluates only the target enums, so an enumerator of " +
      "another enum is unknown and reported.",
  },
  {
    name: "sizeof",
    given: c`
enum bpf_cmd { BPF_A = sizeof(int) };
`,
    want: {
      errors: [
        [
          `${FILE}:1:24: enum bpf_cmd: BPF_A: sizeof(int) depends on the target's type sizes, which a header does not define`,
          "enum bpf_cmd { BPF_A = sizeof(int) };",
        ],
      ],
    },
    divergence: "GCC gives 4 on this target. The generator reports sizeof because its value depends on the target.",
  },
  {
    name: "cast to standard types",
    given: c`
enum bpf_cmd {
  BPF_A = (unsigned char)300,
  BPF_B = (short)-1,
  BPF_C = (_Bool)5,
  BPF_D = (unsigned)-1,
  BPF_E = (signed char)(unsigned char)200,
};
enum bpf_map_type {
  BPF_MAP_TYPE_A = (unsigned long)-1,
  BPF_MAP_TYPE_B = (long unsigned int)-2,
  BPF_MAP_TYPE_C = (unsigned long long)1 << 63,
};
`,
    want: {
      enums: {
        bpf_cmd: { BPF_A: 44n, BPF_B: -1n, BPF_C: 1n, BPF_D: 4294967295n, BPF_E: -56n },
        bpf_map_type: {
          BPF_MAP_TYPE_A: 18446744073709551615n,
          BPF_MAP_TYPE_B: 18446744073709551614n,
          BPF_MAP_TYPE_C: 9223372036854775808n,
        },
      },
    },
  },
  {
    name: "cast to an unknown type",
    given: c`
enum bpf_cmd { BPF_A = (__u32)-1 };
`,
    want: {
      errors: [
        [
          `${FILE}:1:25: enum bpf_cmd: BPF_A: undefined identifier __u32 - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = (__u32)-1 };",
        ],
      ],
    },
  },
  {
    name: "cast to a typedef from the header",
    given: c`
typedef unsigned int __u32;
typedef __u32 u32;
typedef signed char __s8;
enum bpf_cmd { BPF_A = (u32)-1, BPF_B = (__u32)0x100000001, BPF_C = (__s8)255 };
`,
    want: { enums: { bpf_cmd: { BPF_A: 4294967295n, BPF_B: 1n, BPF_C: -1n } } },
  },
  {
    name: "cast to a typedef of a struct",
    given: c`
typedef struct { int x; } box_t;
enum bpf_cmd { BPF_A = (box_t)1 };
`,
    want: {
      errors: [
        [
          `${FILE}:2:25: enum bpf_cmd: BPF_A: cast to box_t needs a type this header does not define - only standard integer types are known`,
          "enum bpf_cmd { BPF_A = (box_t)1 };",
        ],
      ],
    },
  },
  {
    name: "cast to a typedef in a false branch",
    given: c`
#ifdef __KERNEL__
typedef unsigned int kernel_u32;
#endif
enum bpf_cmd { BPF_A = (kernel_u32)-1 };
`,
    want: {
      errors: [
        [
          `${FILE}:4:25: enum bpf_cmd: BPF_A: undefined identifier kernel_u32 - it is neither an earlier enumerator nor a macro defined in this header`,
          "enum bpf_cmd { BPF_A = (kernel_u32)-1 };",
        ],
      ],
    },
  },
];

function isErrorCase(want: HostileCase["want"]): want is { readonly errors: readonly LocatedError[] } {
  return "errors" in want;
}

function toBytes(given: string | Uint8Array): Uint8Array {
  return typeof given === "string" ? Buffer.from(given, "utf8") : given;
}

function definesOf(testCase: HostileCase): Map<string, string> {
  return new Map(Object.entries(testCase.defines ?? {}));
}

type Outcome = { readonly enums: Record<string, Record<string, bigint>> } | { readonly errors: LocatedError[] };

/** Runs one extraction path, and the model stage if the case asks for it. */
function outcome(testCase: HostileCase, header: HeaderText, fullParse: boolean): Outcome {
  try {
    const extracted = extractEnums(header, { fullParse, defines: definesOf(testCase) });
    if (testCase.model === true) {
      const source = { path: FILE, sha256: header.sha256 };
      buildModel("6.18", source, extracted);
    }
    const enums: Record<string, Record<string, bigint>> = {};
    for (const [tag, raw] of extracted) {
      enums[tag] = Object.fromEntries(raw.enumerators.map((enumerator) => [enumerator.name, enumerator.value]));
    }
    return { enums };
  } catch (error) {
    if (!(error instanceof GeneratorErrors)) throw error;
    return { errors: error.errors.map((located): LocatedError => [located.message, located.sourceLine]) };
  }
}

describe("hostile headers", () => {
  it("table has at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((testCase) => testCase.name)).size).toBe(CASES.length);
  });

  describe.each([
    { path: "fast path", fullParse: false },
    { path: "full parse", fullParse: true },
  ])("$path", ({ fullParse }) => {
    it.each(CASES)("$name", (testCase) => {
      const header = decodeHeader(FILE, toBytes(testCase.given));
      expect(outcome(testCase, header, fullParse)).toEqual(testCase.want);
    });
  });

  it.each(CASES)("both paths agree: $name", (testCase) => {
    const header = decodeHeader(FILE, toBytes(testCase.given));
    expect(outcome(testCase, header, false)).toEqual(outcome(testCase, header, true));
  });

  it("value 64 in bpf_cmd is out of the mask domain", () => {
    const text = `enum bpf_cmd { BPF_A = 63, BPF_B, __MAX_BPF_CMD };\n${MORE_REQUIRED_ENUMS}`;
    const header = decodeHeader(FILE, Buffer.from(text, "utf8"));
    const source = { path: FILE, sha256: header.sha256 };
    const model = buildModel("6.18", source, extractEnums(header));
    const cmd = model.enums.find((model) => model.spec.cName === "bpf_cmd");
    const classes = cmd?.members.map((member) => [member.name, member.classification]);
    expect(classes).toEqual([
      ["BPF_A", "member"],
      ["BPF_B", "out-of-domain"],
      ["__MAX_BPF_CMD", "sentinel"],
    ]);
    expect(cmd?.anyMask).toBe((1n << 64n) - 1n);
  });
});

const ccSkip = ccSkipReason();
if (ccSkip !== null) console.warn(`skipping the compiler referee for hostile headers: ${ccSkip}`);

describe.skipIf(ccSkip !== null)("hostile headers against cc", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-hostile-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  /** Compiles the case and returns the compiler's enumerators, or the compiler's error. */
  async function compile(testCase: HostileCase, index: number, tags: string[]): Promise<Outcome | Error> {
    const file = path.join(directory, `case-${index}.h`);
    await writeFile(file, toBytes(testCase.given));
    const defines = Object.entries(testCase.defines ?? {}).map(([name, value]) => `${name}=${value}`);
    try {
      const compiled = await compilerEnumerators(file, tags, defines);
      const enums: Record<string, Record<string, bigint>> = {};
      for (const [tag, enumerators] of compiled) {
        enums[tag] = Object.fromEntries(enumerators.map((enumerator) => [enumerator.name, enumerator.value]));
      }
      return { enums };
    } catch (error) {
      if (error instanceof Error) return error;
      throw error;
    }
  }

  it.each(CASES.map((testCase, index) => ({ ...testCase, index })))("cc referee: $name", async (testCase) => {
    const want = testCase.want;
    if (!isErrorCase(want)) {
      const compiled = await compile(testCase, testCase.index, Object.keys(want.enums));
      if (testCase.divergence !== undefined) {
        expect(compiled, testCase.divergence).toBeInstanceOf(Error);
      } else {
        expect(compiled).toEqual(want);
      }
      return;
    }
    if (testCase.model === true) {
      const tags = ENUM_SPECS.filter((spec) => spec.required).map((spec) => spec.cName);
      expect(await compile(testCase, testCase.index, tags)).toBeInstanceOf(EnumNotDefinedError);
      return;
    }
    const compiled = await compile(testCase, testCase.index, []);
    if (testCase.divergence !== undefined) {
      expect(compiled, testCase.divergence).not.toBeInstanceOf(Error);
    } else {
      expect(compiled, "cc accepts a header the generator rejects").toBeInstanceOf(Error);
    }
  });
});
