/**
 * The enumerator history and its UAPI break check: synthetic headers that
 * renumber an enumerator, then every real header and the libbpf snapshots
 * walked in date order.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AllowedBreak } from "../generator/allowed-breaks.js";
import { modelVersion, renderTree } from "../generator/generate.js";
import { buildHistory, UapiBreakError, type NameHistory } from "../generator/history.js";
import type { UapiModel } from "../generator/model.js";
import { Renderer } from "../generator/render.js";
import { writeTree } from "../generator/write.js";
import { runCli } from "./support/run.js";
import { listSharedHeaders, sharedHeadersSkipReason, type SharedHeader } from "./support/shared.js";

let workDir = "";

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bpf-uapi-history-test-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Returns a minimal bpf.h with the four required enums and `cmds` as the body of enum bpf_cmd. */
function tinyHeader(cmds: string): string {
  return [
    `enum bpf_cmd { ${cmds} };`,
    "enum bpf_map_type { BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH, __MAX_BPF_MAP_TYPE };",
    "enum bpf_prog_type { BPF_PROG_TYPE_UNSPEC, BPF_PROG_TYPE_SOCKET_FILTER, __MAX_BPF_PROG_TYPE };",
    "enum bpf_attach_type { BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS, __MAX_BPF_ATTACH_TYPE };",
    "",
  ].join("\n");
}

async function tinyModel(kernel: string, cmds: string): Promise<UapiModel> {
  const headerPath = path.join(workDir, `tiny-${kernel}.h`);
  await writeFile(headerPath, tinyHeader(cmds));
  return modelVersion({ kernel, headerPath });
}

function breakOf(run: () => unknown): UapiBreakError {
  try {
    run();
  } catch (error) {
    if (error instanceof UapiBreakError) return error;
    throw error;
  }
  throw new Error("expected a UapiBreakError, but buildHistory returned");
}

function entry(history: readonly NameHistory[], enumName: string, name: string): NameHistory | undefined {
  return history.find((item) => item.enumName === enumName && item.name === name);
}

describe("buildHistory on synthetic headers", () => {
  // 6.2 inserts BPF_MAP_FREEZE before BPF_PROG_LOAD, which moves BPF_PROG_LOAD from 1 to 2.
  const renumbered = async (): Promise<UapiModel[]> => [
    await tinyModel("6.1", "BPF_MAP_CREATE, BPF_PROG_LOAD, __MAX_BPF_CMD"),
    await tinyModel("6.2", "BPF_MAP_CREATE, BPF_MAP_FREEZE, BPF_PROG_LOAD, __MAX_BPF_CMD"),
  ];

  it("renumbering raises UapiBreakError", async () => {
    const models = await renumbered();
    const error = breakOf(() => buildHistory(models, []));
    expect(error.breaks).toEqual([
      "enum bpf_cmd: BPF_PROG_LOAD is 1 in 6.1 but 2 in 6.2 - a renumbered enumerator breaks the UAPI; if this is intended, add it to generator/allowed-breaks.ts with the reason",
    ]);
  });

  it("renumbering found in any input order", async () => {
    const [older, newer] = await renumbered();
    if (older === undefined || newer === undefined) throw new Error("renumbered() returned fewer than two models");
    const error = breakOf(() => buildHistory([newer, older], []));
    expect(error.message).toContain("BPF_PROG_LOAD is 1 in 6.1 but 2 in 6.2");
  });

  it("allowed break is accepted", async () => {
    const allowList: AllowedBreak[] = [
      { enumName: "bpf_cmd", name: "BPF_PROG_LOAD", from: "6.1", to: "6.2", reason: "test: the renumbering is intended" },
    ];
    const history = buildHistory(await renumbered(), allowList);
    const progLoad = entry(history, "bpf_cmd", "BPF_PROG_LOAD");
    expect(progLoad?.first).toBe("6.1");
    expect(progLoad?.last).toBe("6.2");
    expect(progLoad?.value).toBe(2n);
  });

  it("allowed break for other versions is not accepted", async () => {
    const allowList: AllowedBreak[] = [
      { enumName: "bpf_cmd", name: "BPF_PROG_LOAD", from: "6.0", to: "6.2", reason: "test: wrong from version" },
    ];
    const models = await renumbered();
    expect(() => buildHistory(models, allowList)).toThrow(UapiBreakError);
  });

  it("sentinel value change is no break", async () => {
    const models = [
      await tinyModel("6.1", "BPF_MAP_CREATE, BPF_PROG_LOAD, __MAX_BPF_CMD"),
      await tinyModel("6.2", "BPF_MAP_CREATE, BPF_PROG_LOAD, BPF_MAP_FREEZE, __MAX_BPF_CMD"),
    ];
    const history = buildHistory(models, []);
    const sentinel = entry(history, "bpf_cmd", "__MAX_BPF_CMD");
    expect(sentinel?.classification).toBe("sentinel");
    expect(sentinel?.value).toBe(3n);
    expect(entry(history, "bpf_cmd", "BPF_MAP_FREEZE")?.first).toBe("6.2");
  });

  it("explicit order replaces compareKernels", async () => {
    const models = [
      await tinyModel("snapshot-b", "BPF_MAP_CREATE, BPF_MAP_FREEZE, BPF_PROG_LOAD, __MAX_BPF_CMD"),
      await tinyModel("snapshot-a", "BPF_MAP_CREATE, BPF_PROG_LOAD, __MAX_BPF_CMD"),
    ];
    const order = ["snapshot-a", "snapshot-b"];
    const error = breakOf(() => buildHistory(models, [], (a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(error.message).toContain("BPF_PROG_LOAD is 1 in snapshot-a but 2 in snapshot-b");
  });
});

const sharedReason = sharedHeadersSkipReason();
if (sharedReason !== null) console.warn(`skipping real header history tests: ${sharedReason}`);
const headers = listSharedHeaders();

/** Returns the kernel label of a shared header: its release, else its approximate release. */
function labelOf(header: SharedHeader): string {
  const label = header.kernel ?? header.kernelAbout;
  if (label === undefined) throw new Error(`shared header ${header.id} has neither kernel nor kernelAbout`);
  return label;
}

describe.skipIf(sharedReason !== null)("real headers", () => {
  it("every header generates", async () => {
    const renderer = new Renderer();
    for (const header of headers) {
      const model = await modelVersion({ kernel: labelOf(header), headerPath: header.file });
      const outDir = path.join(workDir, "library", header.id);
      const summary = await writeTree(outDir, renderTree([model], [], renderer));
      expect(summary.written, header.id).toContain("history.json");
    }
  });

  it("generate CLI writes a snapshot", async () => {
    const snapshot = headers.find((header) => header.id === "libbpf-v0.0.3");
    if (snapshot === undefined) throw new Error("libbpf-v0.0.3 is not in the shared headers manifest");
    const outDir = path.join(workDir, "cli");
    const result = await runCli(["generate", "--header", snapshot.file, "--kernel", "5.2", "--out", outDir], workDir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^generated 4 enums for kernel 5\.2 from .*libbpf-v0\.0\.3\/bpf\.h into .*\/v5\.2 in \d+ ms/);
    const files = await readdir(path.join(outDir, "v5.2"));
    expect(files).toContain("enums.ts");
    expect(files).toContain("uapi.json");
  });
});

describe.skipIf(sharedReason !== null)("libbpf snapshots in date order", () => {
  const snapshots = headers
    .filter((header) => header.id.startsWith("libbpf-") && header.date !== undefined)
    .sort((a, b) => (a.date ?? "").localeCompare(b.date ?? ""));
  const order = snapshots.map((snapshot) => snapshot.id);
  const byDate = (a: string, b: string): number => order.indexOf(a) - order.indexOf(b);
  const models: UapiModel[] = [];
  let history: NameHistory[] = [];

  beforeAll(async () => {
    if (sharedReason !== null) return;
    for (const snapshot of snapshots) models.push(await modelVersion({ kernel: snapshot.id, headerPath: snapshot.file }));
    // A break fails only the test below, and the others then see an empty history.
    try {
      history = buildHistory(models, [], byDate);
    } catch {
      history = [];
    }
  });

  it("manifest has 24 snapshots", () => {
    expect(order.length).toBe(24);
    expect(order[0]).toBe("libbpf-v0.0.3");
    expect(order.at(-1)).toBe("libbpf-main-2026-07-30");
  });

  it("no enumerator is renumbered", () => {
    expect(() => buildHistory(models, [], byDate)).not.toThrow();
  });

  it("BPF_TOKEN_CREATE first in libbpf v1.4.0", () => {
    const token = entry(history, "bpf_cmd", "BPF_TOKEN_CREATE");
    expect(token?.first).toBe("libbpf-v1.4.0");
    expect(token?.value).toBe(36n);
    expect(snapshots.find((snapshot) => snapshot.id === "libbpf-v1.4.0")?.kernelAbout).toBe("6.9");
  });

  it("BPF_MAP_CREATE spans every snapshot", () => {
    const create = entry(history, "bpf_cmd", "BPF_MAP_CREATE");
    expect(create?.first).toBe("libbpf-v0.0.3");
    expect(create?.last).toBe("libbpf-main-2026-07-30");
    expect(create?.value).toBe(0n);
  });

  it("later additions have their first snapshot", () => {
    expect(entry(history, "bpf_cmd", "BPF_LINK_CREATE")?.first).toBe("libbpf-v0.0.8");
    expect(entry(history, "bpf_link_type", "BPF_LINK_TYPE_UNSPEC")?.first).toBe("libbpf-v0.0.9");
    expect(entry(history, "bpf_prog_type", "BPF_PROG_TYPE_NETFILTER")?.first).toBe("libbpf-v1.3.0");
    expect(entry(history, "bpf_map_type", "BPF_MAP_TYPE_ARENA")?.first).toBe("libbpf-v1.4.0");
    expect(entry(history, "bpf_cmd", "BPF_PROG_STREAM_READ_BY_FD")?.first).toBe("libbpf-v1.6.0");
  });

  it("MAX_BPF_LINK_TYPE ends at libbpf v1.3.0", () => {
    // The enumerator MAX_BPF_LINK_TYPE became the sentinel __MAX_BPF_LINK_TYPE
    // plus a #define MAX_BPF_LINK_TYPE, which is no enumerator.
    const oldSentinel = entry(history, "bpf_link_type", "MAX_BPF_LINK_TYPE");
    expect(oldSentinel?.first).toBe("libbpf-v0.0.9");
    expect(oldSentinel?.last).toBe("libbpf-v1.3.0");
    expect(oldSentinel?.classification).toBe("sentinel");
    expect(entry(history, "bpf_link_type", "__MAX_BPF_LINK_TYPE")?.first).toBe("libbpf-v1.4.0");
  });

  it("only MAX_BPF_LINK_TYPE disappears", () => {
    const removed = history.filter((item) => item.last !== "libbpf-main-2026-07-30").map((item) => `${item.enumName} ${item.name}`);
    expect(removed).toEqual(["bpf_link_type MAX_BPF_LINK_TYPE"]);
  });
});
