import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests against the already-built production app (`next build` first; set
 * NEXT_DIST_DIR when the build went to another folder, e.g. `.next-e2e`).
 *
 * Every run starts its own server on a fresh, empty data directory (embedded PGlite
 * database, embedded auth), so nothing a previous run left can leak in.
 */
const port = Number(process.env.E2E_PORT || 3210);
const baseURL = `http://127.0.0.1:${port}`;
const distDir = process.env.NEXT_DIST_DIR || ".next";
// The app checks ManyChat API keys against a local fake (tests/fakes/manychat.ts), started
// by e2e/global-setup.ts on this port; a second run with its own E2E_PORT gets its own.
const manychatPort = Number(process.env.E2E_MANYCHAT_PORT || port + 89);
process.env.E2E_MANYCHAT_PORT = String(manychatPort);

// Playwright evaluates this file in the runner and again in each worker; workers inherit
// the runner's environment, so only the runner creates (and later removes) the directory.
let dataDir = process.env.E2E_DATA_DIR;
if (!dataDir) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdf-answers-e2e-"));
  process.env.E2E_DATA_DIR = dataDir;
  const created = dataDir;
  process.on("exit", () => fs.rmSync(created, { recursive: true, force: true }));
}

if (!fs.existsSync(path.join(import.meta.dirname, distDir, "BUILD_ID"))) {
  throw new Error(`No production build in ${distDir}/. Run \`NEXT_DIST_DIR=${distDir} npx next build\` first.`);
}

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "test-results",
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  workers: 1,
  retries: 0,
  reporter: "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `node ${process.env.SERVER_OUT_DIR || "dist"}/server.mjs -p ${port} -H 127.0.0.1`,
    url: `${baseURL}/api/v1/health`,
    reuseExistingServer: false,
    // A new PGlite data directory takes several seconds to initialise and migrate.
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATA_DIR: dataDir,
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
      // auth.spec signs up the first; admin.spec the second (each spec may run alone).
      ADMIN_EMAILS: "admin@example.test,ops-admin@example.test",
      // Every browser test signs up from 127.0.0.1: more than a real visitor would.
      SIGNUP_RATE_LIMIT_PER_HOUR: "1000",
      // Whatever the shell has, this suite runs on the embedded database and auth only.
      DATABASE_URL: "",
      NEXT_PUBLIC_SUPABASE_URL: "",
      NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "",
      SUPABASE_SECRET_KEY: "",
      APP_URL: "",
      GEMINI_API_KEY: "",
      MANYCHAT_API_URL: `http://127.0.0.1:${manychatPort}`,
      STRIPE_SECRET_KEY: "",
      SENTRY_DSN: "",
      LOG_LEVEL: "warn",
    },
  },
});
