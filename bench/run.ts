/**
 * `npm run bench`: runs every measured area in turn and writes the report
 * to docs/benchmarks.md, overwriting the previous one. Progress goes to
 * stderr; stdout receives only the report's path.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measureCommands } from "./commands.js";
import { measureBpfHeaders, measureVmlinux } from "./extraction.js";
import { measurePackage } from "./package.js";
import { describeMachine, loadCaveat, renderReport, type Section } from "./report.js";
import { measureRuntime } from "./runtime.js";
import { progress } from "./stats.js";

const REPORT_PATH = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));

const SUMMARY =
  "This page records the speed and size budget of bpf-uapi, and every goal is checked here rather than in a test. " +
  "It measures extraction of the five bpf.h enums with tree-sitter against a bare tree-sitter parse of the same file " +
  "and against compiling a C program that prints every enumerator. It also measures the generator commands, the " +
  "runtime's `parse` and `format`, and the published package's cold import time and table size. Run `npm run bench` " +
  "to measure all of it in a few minutes and overwrite this page. The real headers are read from ../shared/headers " +
  "(or `$BPF_UAPI_SHARED_HEADERS`), and each missing one is skipped with a printed line. Times from a shared or loaded " +
  "machine vary between runs, so compare ratios rather than absolute times across machines.";

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = os.loadavg();
  const startTime = performance.now();

  const sections: Section[] = [];
  sections.push(await measureBpfHeaders());
  sections.push(await measureVmlinux());
  sections.push(await measureCommands());
  sections.push(measureRuntime());
  sections.push(await measurePackage());

  const totalSeconds = (performance.now() - startTime) / 1000;
  const loadAtEnd = os.loadavg();
  const caveat = loadCaveat(loadAtStart, loadAtEnd);
  const machine = describeMachine(started, loadAtStart, loadAtEnd);
  const report = renderReport(SUMMARY, machine, sections, totalSeconds, caveat === null ? [] : [caveat]);
  await mkdir(path.dirname(REPORT_PATH), { recursive: true });
  await writeFile(REPORT_PATH, report);
  progress(`done in ${totalSeconds.toFixed(0)} s`);
  process.stdout.write(`${REPORT_PATH}\n`);
}

await main();
