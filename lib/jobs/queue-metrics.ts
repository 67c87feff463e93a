import "server-only";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { jobHandlers } from "./handlers";
import { jobQueueStats } from "./queue-stats";

/**
 * Sets the queue gauges from the database at scrape time. Every known kind gets its
 * series (zero when idle), so a dashboard shows 0 rather than "no data". When the
 * database does not answer, the gauges are left empty: absent, not stale.
 */
export async function updateQueueMetrics(): Promise<void> {
  const m = metrics();
  const stats = await jobQueueStats().catch((err) => {
    log.warn({ err }, "queue metrics: the database did not answer");
    return null;
  });
  m.queueDepth.reset();
  m.oldestDueAge.reset();
  if (!stats) return;
  const kinds = new Set([...Object.keys(jobHandlers), ...stats.byKind.map((k) => k.kind)]);
  for (const kind of kinds) {
    const row = stats.byKind.find((k) => k.kind === kind);
    m.queueDepth.set({ state: "queued", kind }, row?.queued ?? 0);
    m.queueDepth.set({ state: "due", kind }, row?.due ?? 0);
    m.queueDepth.set({ state: "running", kind }, row?.running ?? 0);
  }
  m.oldestDueAge.set(stats.oldestDueAgeSeconds ?? 0);
}
