/**
 * The drift workflow in .github/workflows/drift.yml: its triggers, its
 * container and the order of its install, cache, test and check steps.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const WORKFLOW_PATH = fileURLToPath(new URL("../.github/workflows/drift.yml", import.meta.url));

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, where: string): Mapping {
  if (!isMapping(value)) throw new Error(`${WORKFLOW_PATH}: ${where} is not a mapping`);
  return value;
}

function sequence(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${WORKFLOW_PATH}: ${where} is not a sequence`);
  return value;
}

const workflow = mapping(parse(readFileSync(WORKFLOW_PATH, "utf8")), "the document");
const triggers = mapping(workflow["on"], "on");
const job = mapping(mapping(workflow["jobs"], "jobs")["drift"], "jobs.drift");
const steps = sequence(job["steps"], "jobs.drift.steps").map((step, index) => mapping(step, `step ${index}`));
const runs = steps.map((step) => (typeof step["run"] === "string" ? step["run"] : ""));

/** Returns the index of the first step whose `run` script has a line starting with `command`. */
function stepIndex(command: string): number {
  return runs.findIndex((script) => script.split("\n").some((line) => line.trim() === command || line.trim().startsWith(`${command} `)));
}

describe("drift workflow triggers", () => {
  it("runs on push", () => {
    expect(Object.keys(triggers)).toContain("push");
  });

  it("runs on pull_request", () => {
    expect(Object.keys(triggers)).toContain("pull_request");
  });

  it("runs on a cron schedule", () => {
    const schedule = sequence(triggers["schedule"], "on.schedule").map((entry, index) => mapping(entry, `on.schedule[${index}]`));
    expect(schedule.length).toBe(1);
    expect(schedule[0]?.["cron"]).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });
});

describe("drift workflow job", () => {
  it("runs in debian:bookworm", () => {
    expect(job["container"]).toBe("debian:bookworm");
  });

  it("sets up Node.js 20", () => {
    const setupNode = steps.find((step) => typeof step["uses"] === "string" && step["uses"].startsWith("actions/setup-node@"));
    expect(setupNode).toBeDefined();
    expect(mapping(setupNode?.["with"], "setup-node with")["node-version"]).toBe(20);
  });

  it("fills the cache from web and debian", () => {
    expect(stepIndex("npm run headers -- --from web")).toBeGreaterThanOrEqual(0);
    expect(stepIndex("npm run headers -- --from debian")).toBeGreaterThanOrEqual(0);
  });

  it("steps run in order", () => {
    const commands = ["npm ci", "npm run headers", "npm test", "npm run check"];
    const indices = commands.map(stepIndex);
    commands.forEach((command, position) => {
      const index = indices[position] ?? -1;
      expect(index, command).toBeGreaterThanOrEqual(0);
      if (position > 0) expect(index, `${command} after ${commands[position - 1]}`).toBeGreaterThan(indices[position - 1] ?? -1);
    });
  });
});
