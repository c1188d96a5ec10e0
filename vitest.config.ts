import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The compiler-referee tests compile real headers with cc. The
    // 134,000-line vmlinux.h alone takes about 3 s to parse and compile on
    // a 2-core machine, close to vitest's 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
