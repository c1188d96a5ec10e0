/**
 * Runs the generator's command line as a child process through tsx, as
 * `npm run generate` does, so tests see its real exit code and output.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The CLI entry point, as an absolute path. */
export const CLI_PATH = `${repositoryRoot}generator/cli.ts`;

/** tsx's loader by absolute path, so the child can start in any directory. */
const TSX_LOADER = `${repositoryRoot}node_modules/tsx/dist/loader.mjs`;

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node --import tsx generator/cli.ts ARGS` in `cwd` and resolves with
 * its exit code and output. A non-zero exit code resolves too; the promise
 * rejects only when the child cannot start, is killed or times out.
 * INIT_CWD is removed from the environment because the CLI resolves
 * relative paths against it, and `npm test` sets it to the repository.
 */
export function runCli(args: readonly string[], cwd: string, timeoutMs = 30_000): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  delete env["INIT_CWD"];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", TSX_LOADER, CLI_PATH, ...args],
      { cwd, env, timeout: timeoutMs, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ status: 0, stdout, stderr });
        } else if (typeof error.code === "number") {
          resolve({ status: error.code, stdout, stderr });
        } else {
          reject(new Error(`failed to run ${CLI_PATH}: ${error.message}\n${stderr}`));
        }
      },
    );
  });
}
