/**
 * Reading bpffs mounts from mountinfo and /proc/mounts text, including a
 * line the kernel wrote and, as root on Linux 6.9+, a live mount.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeMountField, isMountLine, readBpffsMounts } from "../src/mounts.js";
import { parse } from "../src/parse.js";

/**
 * A mountinfo line from Linux 6.18.44, written after
 * `mount -t bpf -o delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp nodev DIR`.
 */
const REAL_MOUNTINFO_LINE =
  "45 27 0:40 / /tmp/bpf-uapi-mnt-2Zfiwf rw,relatime - bpf nodev rw,delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp";

/** The /proc/mounts line of the same mount. */
const REAL_PROC_MOUNTS_LINE =
  "nodev /tmp/bpf-uapi-mnt-2Zfiwf bpf rw,relatime,delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp 0 0";

/** A mountinfo sample: a non-bpf mount, the host bpffs with optional fields, the real line and an escaped path. */
const MOUNTINFO_SAMPLE = [
  "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw",
  "30 24 0:26 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:9 master:2 - bpf bpf rw,mode=700",
  REAL_MOUNTINFO_LINE,
  "46 27 0:41 / /tmp/with\\040space rw,relatime - bpf none rw,uid=1000,gid=1000,delegate_cmds=any",
  "",
].join("\n");

describe("readBpffsMounts", () => {
  it("reads bpf lines of mountinfo", () => {
    const mounts = readBpffsMounts(MOUNTINFO_SAMPLE);

    expect(mounts.map((mount) => mount.mountPoint)).toEqual(["/sys/fs/bpf", "/tmp/bpf-uapi-mnt-2Zfiwf", "/tmp/with space"]);
    expect(mounts[0]).toEqual({
      line: 2,
      mountId: 30,
      mountPoint: "/sys/fs/bpf",
      source: "bpf",
      mountOptions: "rw,nosuid,nodev,noexec,relatime",
      superOptions: "rw,mode=700",
    });
    expect(mounts[1]?.superOptions).toBe(
      "rw,delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp",
    );
  });

  it("reads /proc/mounts lines", () => {
    const mounts = readBpffsMounts(`proc /proc proc rw 0 0\n${REAL_PROC_MOUNTS_LINE}\n`);

    expect(mounts).toEqual([
      {
        line: 2,
        mountId: null,
        mountPoint: "/tmp/bpf-uapi-mnt-2Zfiwf",
        source: "nodev",
        mountOptions: null,
        superOptions: "rw,relatime,delegate_cmds=map_create:prog_load:token_create,delegate_maps=hash:array,delegate_progs=xdp,delegate_attachs=xdp",
      },
    ]);
  });

  it("decodes the real line's masks", () => {
    const [mount] = readBpffsMounts(REAL_MOUNTINFO_LINE);
    const { masks } = parse(mount?.superOptions ?? "", { kernel: "6.18" });

    expect(masks.cmds).toBe((1n << 0n) | (1n << 5n) | (1n << 36n));
    expect(masks.maps).toBe((1n << 1n) | (1n << 2n));
    expect(masks.progs).toBe(1n << 6n);
    expect(masks.attachs).toBe(1n << 37n);
  });

  it("skips malformed lines", () => {
    expect(readBpffsMounts("garbage\n1 2 3\n - bpf\n")).toEqual([]);
  });
});

describe("decodeMountField", () => {
  it("decodes octal escapes", () => {
    expect(decodeMountField("/a\\040b\\011c\\134d")).toBe("/a b\tc\\d");
  });
});

/** Returns why a live bpffs mount cannot be tested here, or null. */
function liveMountSkipReason(): string | null {
  if (process.getuid?.() !== 0) return "not root";
  const [major = 0, minor = 0] = os.release().split(".").map(Number);
  if (major < 6 || (major === 6 && minor < 9)) return `Linux ${os.release()} has no bpffs delegation (needs 6.9+)`;
  return null;
}

const liveReason = liveMountSkipReason();
if (liveReason !== null) console.warn(`skipping the live bpffs mount test: ${liveReason}`);

describe.skipIf(liveReason !== null)("live bpffs mount", () => {
  it("finds a fresh mount in /proc/self/mountinfo", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bpf-uapi-mounts-test-"));
    try {
      const mount = spawnSync("mount", ["-t", "bpf", "-o", "delegate_cmds=prog_load,delegate_progs=xdp", "nodev", dir], { encoding: "utf8" });
      expect(mount.status, mount.stderr).toBe(0);

      const found = readBpffsMounts(readFileSync("/proc/self/mountinfo", "utf8")).find((entry) => entry.mountPoint === dir);
      expect(found?.source).toBe("nodev");
      expect(found?.superOptions).toBe("rw,delegate_cmds=prog_load,delegate_progs=xdp");
    } finally {
      if (spawnSync("umount", [dir]).status !== 0) spawnSync("umount", ["--lazy", dir]);
      rmdirSync(dir);
    }
  });
});

describe("isMountLine", () => {
  it.each([
    "46 27 0:41 / /tmp/with\\040space rw,relatime - bpf none rw,uid=1000",
    "22 1 0:21 / /proc rw,nosuid shared:5 - proc proc rw",
    "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0",
  ])("accepts %j", (line) => {
    expect(isMountLine(line)).toBe(true);
  });

  it.each(["root:x:0:0:root:/root:/bin/bash", "", "a b c d", "bpf /sys/fs/bpf bpf rw x y"])("rejects %j", (line) => {
    expect(isMountLine(line)).toBe(false);
  });
});
