/**
 * The C-compiler route to the enum values, as a baseline for extraction:
 * write a program that prints every enumerator with printf, compile it
 * against the header with `cc`, run it and read its output.
 */
import { execFile, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { printfProgram } from "../test/support/cc.js";

const execFileAsync = promisify(execFile);

/** Untranslated compiler messages, so a failure reads the same on every machine. */
const TOOL_ENV = { ...process.env, LC_ALL: "C" };
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Returns why `cc` cannot run here, or null when it can. */
export function compilerSkipReason(): string | null {
  const result = spawnSync("cc", ["--version"], { stdio: "ignore" });
  if (result.error !== undefined || result.status !== 0) return "C compiler `cc` not found on PATH (install gcc)";
  return null;
}


/**
 * Runs the whole route once in `workDir`: generates and writes the program,
 * compiles it with the header force-included (`cc -include`, so the header's
 * own <linux/...> includes resolve against the system include path), runs it
 * and parses what it prints. Returns the printed values by name. Throws when
 * the compiler fails or the program prints a different set of names.
 */
export async function compilerRoute(headerFile: string, names: readonly string[], workDir: string): Promise<Map<string, bigint>> {
  const program = path.join(workDir, "enumerators");
  const source = `${program}.c`;
  await writeFile(source, printfProgram(names));
  try {
    await execFileAsync("cc", ["-O0", "-std=gnu11", "-include", headerFile, "-o", program, source], {
      env: TOOL_ENV,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`cc failed to compile the enumerator program against ${headerFile}:\n${stderr.trim()}`);
  }
  const { stdout } = await execFileAsync(program, [], { maxBuffer: MAX_OUTPUT_BYTES });

  const values = new Map<string, bigint>();
  for (const line of stdout.split("\n")) {
    const match = /^(\w+) (-?\d+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], BigInt(match[2]));
  }
  if (values.size !== new Set(names).size) {
    throw new Error(`the enumerator program for ${headerFile} printed ${values.size} values for ${names.length} names`);
  }
  return values;
}
