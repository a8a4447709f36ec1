import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Server and database tests bind ports and temp dirs; forks isolate native modules cleanly.
    pool: "forks",
    globalSetup: ["test/support/globalSetup.ts"],
  },
});
