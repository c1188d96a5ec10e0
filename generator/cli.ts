/**
 * The generator's command line: `generate`, `check` and `headers`. `main`
 * only picks the command and maps errors to exit codes: 0 success, 1 a
 * problem in the input or drift, 2 a usage error.
 */
import { GeneratorErrors, OutputError, UsageError } from "./errors.js";
import { BtfError } from "./btf.js";
import { checkCommand, generateCommand, headersCommand, USAGE } from "./commands.js";
import { UapiBreakError } from "./history.js";

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "generate":
        return await generateCommand(rest);
      case "check":
        return await checkCommand(rest);
      case "headers":
        return await headersCommand(rest);
      default:
        throw new UsageError(`unknown command "${command ?? ""}" - use generate, check or headers`, true);
    }
  } catch (error) {
    if (error instanceof GeneratorErrors) {
      console.error(error.render());
      return 1;
    }
    if (error instanceof UapiBreakError || error instanceof BtfError) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof OutputError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    if (isParseArgsError(error) || (error instanceof UsageError && error.showUsage)) {
      console.error(`error: ${error.message}\n\n${USAGE[command ?? ""] ?? Object.values(USAGE).join("\n\n")}`);
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): error is TypeError {
  return error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
}

process.exitCode = await main(process.argv.slice(2));
