import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Starts the built app as a real server on a free port with the given environment, and
 * waits until /api/v1/health answers. By default the product's own start command
 * (`npm start`: dist/server.mjs, Next.js behind the direct webhook path); `nextStart`
 * runs plain `next start` (the webhook served by its Next.js route, as on Vercel).
 * Requires `npm run build` first.
 */
export interface AppServer {
  url: string;
  dataDir: string;
  logs: () => string;
  stop: () => Promise<void>;
  /** Kills the process without warning, as a crash or an OOM kill would. */
  crash: () => Promise<void>;
}

/** The self-hosted entry point built by `npm run build` (server.ts, scripts/build-server.mjs). */
export const SERVER_ENTRY = `${process.env.SERVER_OUT_DIR || "dist"}/server.mjs`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function tempDataDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pa-${label}-`));
}

export async function startAppServer(
  env: Record<string, string>,
  opts: { dataDir?: string; nextStart?: boolean } = {},
): Promise<AppServer> {
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  if (!fs.existsSync(path.join(process.cwd(), distDir, "BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` before the API tests.");
  }
  if (!opts.nextStart && !fs.existsSync(path.join(process.cwd(), SERVER_ENTRY))) {
    throw new Error(`No ${SERVER_ENTRY}: run \`npm run build\` (or \`node scripts/build-server.mjs\`) first.`);
  }
  const port = await freePort();
  const dataDir = opts.dataDir ?? tempDataDir("server");
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(opts.nextStart ? ["node_modules/next/dist/bin/next", "start"] : [SERVER_ENTRY]),
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATA_DIR: dataDir,
        LOG_LEVEL: process.env.TEST_SERVER_LOG_LEVEL ?? "info",
        // The tests act as the proxy in front of the app: each simulated visitor's address
        // comes in X-Forwarded-For (tests/support/api.ts, visitorIp).
        TRUST_PROXY: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`App server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`App server did not become healthy in 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dataDir,
    logs: () => output,
    crash: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        // Already gone (exited, or killed by crash()): nothing to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
