/**
 * Runs the bpf-uapi command line from src/ through tsx as a child process,
 * so tests see its real exit code, stdout and stderr.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repositoryRoot = fileURLToPath(new URL("../", import.meta.url));
const TSX_LOADER = `${repositoryRoot}node_modules/tsx/dist/loader.mjs`;
const MAIN = `${repositoryRoot}src/cli/main.ts`;

export interface BpfUapiRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Variables added to the environment, which has NO_COLOR and FORCE_COLOR removed. */
  readonly env?: Readonly<Record<string, string>>;
  /** Text written to standard input. */
  readonly stdin?: string;
}

/** Runs `bpf-uapi ARGS` and resolves with its exit code and output; rejects only when it cannot start or is killed. */
export function runBpfUapi(args: readonly string[], options: RunOptions = {}): Promise<BpfUapiRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.["NO_COLOR"] === undefined) delete env["NO_COLOR"];
  if (options.env?.["FORCE_COLOR"] === undefined) delete env["FORCE_COLOR"];

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], { env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status, signal) => {
      if (status === null) reject(new Error(`bpf-uapi ${args.join(" ")} was killed by ${signal}`));
      else resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}
