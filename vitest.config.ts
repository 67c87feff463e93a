import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

// Two projects run the same suite: one on the embedded PGlite database, one on a real
// PostgreSQL server (scripts/test.mjs decides which run; CI runs both).
export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      "server-only": path.join(root, "tests/support/empty-module.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: { name: "pglite", env: { TEST_DB: "pglite" }, globalSetup: ["tests/support/global-setup.ts"] },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          env: { TEST_DB: "postgres" },
          globalSetup: ["tests/support/global-setup.ts"],
          // Unit tests that touch no database run once, in the pglite project.
          exclude: ["lib/**/*.test.ts", "tests/support/**/*.test.ts", "node_modules/**"],
        },
      },
    ],
  },
});
