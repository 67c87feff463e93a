import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";

export interface JobQueueStats {
  /** Unfinished jobs by kind: queued (of which `due` may run now) and running. */
  byKind: { kind: string; queued: number; due: number; running: number }[];
  /** Seconds the oldest due queued job has waited past its run time; null when none is due. */
  oldestDueAgeSeconds: number | null;
}

/**
 * The state of the job queue across every instance, for /metrics and /health. Reads
 * only unfinished jobs, which the jobs_due partial index covers, in one statement.
 */
export async function jobQueueStats(): Promise<JobQueueStats> {
  return asService("queue metrics", async (tx) => {
    const found = await rows<{ kind: string; queued: number; due: number; running: number; oldest: number | null }>(
      tx,
      sql`select kind,
            count(*) filter (where status = 'queued')::int as queued,
            count(*) filter (where status = 'queued' and run_at <= now())::int as due,
            count(*) filter (where status = 'running')::int as running,
            extract(epoch from now() - min(run_at) filter (where status = 'queued' and run_at <= now()))::float8 as oldest
          from jobs where status in ('queued', 'running')
          group by kind order by kind`,
    );
    const ages = found.map((r) => r.oldest).filter((a): a is number => a !== null);
    return {
      byKind: found.map(({ kind, queued, due, running }) => ({ kind, queued, due, running })),
      oldestDueAgeSeconds: ages.length > 0 ? Math.max(0, ...ages) : null,
    };
  });
}
