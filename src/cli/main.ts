#!/usr/bin/env node
/**
 * Entry point of the `bpf-uapi` command line: connects `run` to the process.
 */
import { text } from "node:stream/consumers";
import { shouldColor, type Io } from "./io.js";
import { run } from "./run.js";

const io: Io = {
  stdout: (output) => process.stdout.write(output),
  stderr: (output) => process.stderr.write(output),
  readStdin: () => text(process.stdin),
  color: shouldColor(process.env, process.stdout.isTTY === true),
};

process.exitCode = await run(process.argv.slice(2), io);
