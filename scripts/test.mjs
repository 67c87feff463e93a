#!/usr/bin/env node
// `npm test`: builds the app, runs the Vitest suite against PGlite and PostgreSQL,
// then the Playwright suite in Chromium. Locally, a missing PostgreSQL or Chromium is
// reported loudly and that part is skipped; with CI set, nothing is skipped.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

const ci = Boolean(process.env.CI);
const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const adminUrl = new URL(process.env.TEST_DATABASE_ADMIN_URL || "postgres://postgres@127.0.0.1:5432/postgres");

function run(label, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const res = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (res.status !== 0) {
    console.error(`✖ ${label} failed after ${secs}s`);
    process.exit(res.status ?? 1);
  }
  console.log(`✔ ${label} (${secs}s)`);
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port), timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function skipOrFail(what, why) {
  if (ci) {
    console.error(`✖ ${what} cannot run: ${why}. In CI nothing is skipped.`);
    process.exit(1);
  }
  console.warn(`\n⚠ SKIPPING ${what}: ${why}. CI (.ci/run) provisions it and runs everything.\n`);
}

const node = process.execPath;
if (process.env.SKIP_BUILD !== "1") {
  run("next build", node, ["node_modules/next/dist/bin/next", "build"]);
  run("server build", node, ["scripts/build-server.mjs"]);
}
// First-load JavaScript per page, gzipped; fails over 200 KB for a dashboard or admin page.
run("first-load JS report", node, ["scripts/report-first-load-js.mjs"]);

const projects = ["--project", "pglite"];
if (await reachable(adminUrl.hostname || "127.0.0.1", adminUrl.port || "5432")) {
  projects.push("--project", "postgres");
} else {
  skipOrFail("the PostgreSQL half of the suite", `nothing listens on ${adminUrl.host}`);
}
run(`vitest (${projects.filter((p) => p !== "--project").join(" + ")})`, node, [
  "node_modules/vitest/vitest.mjs",
  "run",
  ...projects,
  ...process.argv.slice(2),
]);

if (fs.existsSync(chromium)) {
  run("playwright (Chromium)", node, ["node_modules/@playwright/test/cli.js", "test"], { CHROMIUM_PATH: chromium });
} else {
  skipOrFail("the browser suite", `no Chromium at ${chromium}`);
}
console.log("\n✔ all suites passed");
