import "server-only";
import { sql } from "drizzle-orm";
import { asService, database, rows } from "@/lib/db/client";
import { log } from "@/lib/log";

/**
 * In the embedded mode one process holds the data directory (its lock file refuses a
 * second one, lib/db/raw-client.ts), so at start-up every job still `running` belonged to
 * a process that is gone: it is queued again at once instead of waiting for its lease to
 * expire. Its attempts are kept (the claim counts the next one). With PostgreSQL other
 * instances may be running those jobs: there, only an expired lease frees a job.
 */
export async function requeueInterruptedJobs(): Promise<number> {
  const { raw } = await database();
  if (raw.kind !== "pglite") return 0;
  const requeued = await asService("job recovery at start-up", (tx) =>
    rows<{ id: string }>(
      tx,
      sql`update jobs set status = 'queued', run_at = now(), locked_at = null, locked_by = null
          where status = 'running' returning id`,
    ),
  );
  if (requeued.length > 0) {
    log.warn({ jobs: requeued.length }, "jobs interrupted by the previous process queued again");
  }
  return requeued.length;
}
