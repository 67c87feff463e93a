import "server-only";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { reportError } from "@/lib/report-error";
import { runMaintenance } from "./maintenance";
import { sweepOnce } from "./run-jobs";

/**
 * The self-hosted sweeper: every few seconds, picks up jobs that are due or whose
 * worker died, so nothing waits on after() alone. On Vercel, the cron endpoint
 * (/api/v1/cron/sweep) does the same.
 */
const key = Symbol.for("pdf-answers.sweeper");
type G = typeof globalThis & { [key]?: NodeJS.Timeout };

export function startSweeper(intervalMs = config().SWEEPER_INTERVAL_MS): void {
  const g = globalThis as G;
  if (g[key]) return;
  let busy = false;
  let lastMaintenance = 0;
  let lastReported = 0;
  g[key] = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      while ((await sweepOnce({ limit: 10 })) > 0) {
        // keep draining while there is work
      }
      if (Date.now() - lastMaintenance > 60_000) {
        lastMaintenance = Date.now();
        await runMaintenance();
      }
    } catch (err) {
      log.error({ err }, "sweeper pass failed");
      // A database outage fails every pass: one report a minute is enough.
      if (Date.now() - lastReported > 60_000) {
        lastReported = Date.now();
        await reportError(err, { where: "sweeper" });
      }
    } finally {
      busy = false;
    }
  }, intervalMs);
  g[key].unref();
}
