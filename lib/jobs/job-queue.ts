import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { asService, rows, type Tx } from "@/lib/db/client";
import { errorText } from "@/lib/db/pg-text";
import { jobs } from "@/lib/db/schema";

/**
 * The durable job queue: every piece of post-response work (ingesting a PDF, answering
 * a message) is a row in `jobs` first. after() runs it at once; the sweeper finishes
 * whatever a crash, a timeout or a failure left behind.
 */
export type JobRow = typeof jobs.$inferSelect;

export const workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Seconds without a heartbeat after which a running job is presumed dead and retried. */
export function leaseSeconds(): number {
  return config().JOB_LEASE_SECONDS;
}

/** Inserts a job inside the caller's (tenant) transaction, so it exists exactly when its subject does. */
export async function enqueueJob(
  tx: Tx,
  job: { customerId: string; kind: string; payload: Record<string, unknown>; maxAttempts?: number; runAt?: Date },
): Promise<string> {
  const [row] = await tx
    .insert(jobs)
    .values({
      customerId: job.customerId,
      kind: job.kind,
      payload: job.payload,
      maxAttempts: job.maxAttempts ?? 5,
      runAt: (job.runAt ?? new Date()).toISOString(),
    })
    .returning({ id: jobs.id });
  return (row as { id: string }).id;
}

/**
 * Claims due jobs (or one given job) for this worker: queued ones whose time has come,
 * and running ones whose lease expired. SKIP LOCKED lets any number of workers share
 * the table without taking the same job twice.
 */
export async function claimJobs(opts: { limit: number; jobId?: string }): Promise<JobRow[]> {
  const lease = leaseSeconds();
  return asService("job claiming", (tx) =>
    rows<JobRow>(
      tx,
      sql`update jobs set status = 'running', attempts = attempts + 1, locked_at = now(), locked_by = ${workerId}
          where id in (
            select id from jobs
            where ((status = 'queued' and run_at <= now())
                or (status = 'running' and locked_at < now() - make_interval(secs => ${lease})
                    -- This process's own job is still running here (its heartbeat was only late,
                    -- e.g. a busy event loop): taking it again would run it twice. Only a run hung
                    -- for ten leases is taken over from itself.
                    and (locked_by is distinct from ${workerId} or locked_at < now() - make_interval(secs => ${lease * 10}))))
              and (${opts.jobId ?? null}::uuid is null or id = ${opts.jobId ?? null}::uuid)
            order by run_at
            limit ${opts.limit}
            for update skip locked)
          returning id, customer_id as "customerId", kind, payload, status, attempts, max_attempts as "maxAttempts",
            run_at as "runAt", locked_at as "lockedAt", locked_by as "lockedBy", last_error as "lastError",
            created_at as "createdAt", updated_at as "updatedAt"`,
    ),
  );
}

/** Extends the lease of a running job; returns false when another worker took it over. */
export async function heartbeat(jobId: string): Promise<boolean> {
  const updated = await asService("job heartbeat", (tx) =>
    rows(
      tx,
      sql`update jobs set locked_at = now() where id = ${jobId} and status = 'running' and locked_by = ${workerId} returning id`,
    ),
  );
  return updated.length > 0;
}

export async function completeJob(jobId: string): Promise<void> {
  await asService("job bookkeeping", (tx) =>
    rows(tx, sql`update jobs set status = 'done', locked_at = null, last_error = null where id = ${jobId}`),
  );
}

/**
 * A job claimed more times than it may be attempted: every earlier attempt ended without
 * recording an outcome (its process was killed, crashed or ran out of memory, and its
 * lease expired). It is not run again; runJob fails it for good instead.
 */
export function attemptsExhausted(job: JobRow): boolean {
  return job.attempts > job.maxAttempts;
}

/**
 * Records a failure: back to the queue with exponential backoff, or failed for good. The
 * stored text is cleaned (lib/db/pg-text.ts), so this write cannot fail on what the error said.
 */
export async function failJob(job: JobRow, error: string, opts: { retryable: boolean; delayMs?: number }) {
  const final = !opts.retryable || job.attempts >= job.maxAttempts;
  const delayMs = opts.delayMs ?? Math.min(2 ** (job.attempts - 1) * config().JOB_RETRY_BASE_MS, 5 * 60_000);
  await asService("job bookkeeping", (tx) =>
    rows(
      tx,
      sql`update jobs set status = ${final ? "failed" : "queued"}, locked_at = null, last_error = ${errorText(error)},
            run_at = now() + make_interval(secs => ${final ? 0 : delayMs / 1000})
          where id = ${job.id}`,
    ),
  );
  return { final };
}
