/**
 * The generator's command line. `main` only parses arguments, calls the
 * stage functions and maps errors to exit codes: 0 success, 1 a problem in
 * the input, 2 a usage error.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { GeneratorErrors, UsageError } from "./errors.js";
import { mergeIntoExisting, modelVersion } from "./generate.js";
import { Renderer } from "./render.js";
import { checkKernelLabel, readKernelVersion, versionDirectory } from "./version.js";
import { writeTree } from "./write.js";

const SYSTEM_HEADER = "/usr/include/linux/bpf.h";
const SYSTEM_VERSION_HEADER = "/usr/include/linux/version.h";

const USAGE = `usage: npm run generate -- [--header FILE --kernel X.Y] [--out DIR] [-D NAME[=VALUE]]...

Reads the enums bpf_cmd, bpf_map_type, bpf_prog_type, bpf_attach_type and
bpf_link_type from a bpf.h and writes TypeScript enums, delegate option tables
and uapi.json to DIR/v<X.Y>/ (default DIR: generated).

  --header FILE    the bpf.h to read (default ${SYSTEM_HEADER})
  --kernel X.Y     kernel version of that header, or next (default: read from
                   ${SYSTEM_VERSION_HEADER} when --header is not given)
  --out DIR        output directory (default generated)
  -D NAME[=VALUE]  define a macro before the header, as for a C compiler
  --full-parse     parse the whole header instead of only the enums and directives
  --verbose        print each file written

example: npm run generate -- --header /usr/include/linux/bpf.h --kernel 6.1`;

/** Resolves a user path against the directory npm was started in. */
function userPath(path: string): string {
  return resolve(process.env["INIT_CWD"] ?? process.cwd(), path);
}

function parseDefines(values: readonly string[]): Map<string, string> {
  const defines = new Map<string, string>();
  for (const value of values) {
    const equals = value.indexOf("=");
    const name = equals === -1 ? value : value.slice(0, equals);
    if (name === "") throw new UsageError(`invalid -D "${value}" - use -D NAME or -D NAME=VALUE`);
    defines.set(name, equals === -1 ? "1" : value.slice(equals + 1));
  }
  return defines;
}

async function generate(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      header: { type: "string" },
      kernel: { type: "string" },
      out: { type: "string", default: "generated" },
      define: { type: "string", short: "D", multiple: true, default: [] },
      "full-parse": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const started = performance.now();
  const headerPath = values.header === undefined ? SYSTEM_HEADER : userPath(values.header);
  if (values.header !== undefined && values.kernel === undefined) {
    throw new UsageError("--header needs --kernel X.Y - name the kernel version the header comes from");
  }
  const kernel = checkKernelLabel(values.kernel ?? (await readKernelVersion(SYSTEM_VERSION_HEADER)));
  const outDir = userPath(values.out);
  const model = await modelVersion(
    { kernel, headerPath },
    { fullParse: values["full-parse"], defines: parseDefines(values.define) },
  );
  const tree = await mergeIntoExisting(outDir, [model], new Renderer());
  const summary = await writeTree(outDir, tree);
  if (values.verbose) {
    for (const path of summary.written) console.log(`wrote ${path}`);
    for (const path of summary.removed) console.log(`removed ${path}`);
  }
  const milliseconds = Math.round(performance.now() - started);
  console.log(
    `generated ${model.enums.length} enums for kernel ${kernel} from ${headerPath} into ${values.out}/${versionDirectory(kernel)} in ${milliseconds} ms (${summary.written.length} files written, ${summary.removed.length} removed)`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "generate":
        await generate(rest);
        return 0;
      default:
        throw new UsageError(`unknown command "${command ?? ""}" - use generate`);
    }
  } catch (error) {
    if (error instanceof GeneratorErrors) {
      console.error(error.render());
      return 1;
    }
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
