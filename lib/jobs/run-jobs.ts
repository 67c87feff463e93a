import "server-only";
import { errorText } from "@/lib/db/pg-text";
import { log, redactError } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { reportError } from "@/lib/report-error";
import { jobHandlers } from "./handlers";
import { PermanentJobError, RetryLaterError } from "./job-errors";
import { attemptsExhausted, claimJobs, completeJob, failJob, heartbeat, type JobRow, leaseSeconds } from "./job-queue";

export interface JobContext {
  /** Aborted when another worker took the job over (our lease was lost). */
  signal: AbortSignal;
}

export interface JobHandler {
  run(job: JobRow, ctx: JobContext): Promise<void>;
  /** Called once when the job fails for good, to leave its subject in a visible final state. */
  onFinalFailure?(job: JobRow, error: string): Promise<void>;
}

/** Runs one claimed job to completion, keeping its lease alive while it works. */
export async function runJob(job: JobRow): Promise<void> {
  const handler = jobHandlers[job.kind];
  const controller = new AbortController();
  const beat = setInterval(
    () => {
      heartbeat(job.id)
        .then((held) => {
          if (!held) controller.abort(new Error("lease lost"));
        })
        .catch(() => {});
    },
    Math.max(1000, (leaseSeconds() * 1000) / 3),
  );
  beat.unref();
  const started = Date.now();
  try {
    if (!handler) throw new PermanentJobError(`No handler for job kind "${job.kind}"`);
    if (attemptsExhausted(job)) {
      // A poison job: running it again would crash the next worker too.
      throw new PermanentJobError(
        `Processing was interrupted ${job.maxAttempts} times without finishing (the server stopped while working on it), so it was not tried again.`,
      );
    }
    await handler.run(job, { signal: controller.signal });
    await completeJob(job.id);
    observeJob(job.kind, "done", started);
    log.info({ job_id: job.id, kind: job.kind, attempt: job.attempts, ms: Date.now() - started }, "job done");
  } catch (err) {
    // Cleaned and bounded: it is stored (jobs.last_error, the subject's error) and logged,
    // and may quote document text (NUL, lone surrogates) that PostgreSQL would refuse.
    // A failed statement's parameters (customer text, hashes) are removed first (redactError).
    const clean = redactError(err);
    const message = errorText(clean instanceof Error ? clean.message : String(clean));
    const retryable = !(err instanceof PermanentJobError);
    const { final } = await failJob(job, message, {
      retryable,
      delayMs: err instanceof RetryLaterError ? err.delayMs : undefined,
    });
    observeJob(job.kind, final ? "failed" : "retry", started);
    metrics().jobFailures.inc({ kind: job.kind, final: String(final) });
    log.warn(
      {
        job_id: job.id,
        kind: job.kind,
        attempt: job.attempts,
        final,
        err: {
          type: err instanceof Error ? err.name : typeof err,
          message,
          stack: clean instanceof Error && clean.stack ? errorText(clean.stack, 4000) : undefined,
        },
        ms: Date.now() - started,
      },
      final ? "job failed for good" : "job failed, will retry",
    );
    if (final) {
      // Jobs run after the response (after(), server.ts, the sweeper): nothing else reports them.
      const context = { where: "job", job_kind: job.kind, job_id: job.id, attempts: job.attempts };
      await reportError(err, context);
      if (handler?.onFinalFailure) {
        await handler.onFinalFailure(job, message).catch(async (e) => {
          log.error({ err: e, job_id: job.id }, "onFinalFailure");
          await reportError(e, { ...context, where: "job onFinalFailure" });
        });
      }
    }
  } finally {
    clearInterval(beat);
  }
}

/** Claims and runs one specific job now (from after()); a no-op if someone else has it. */
export async function runJobNow(jobId: string): Promise<void> {
  try {
    const [job] = await claimJobs({ limit: 1, jobId });
    if (job) await runJob(job);
  } catch (err) {
    log.error({ err, job_id: jobId }, "running a job after the response failed");
    await reportError(err, { where: "runJobNow", job_id: jobId });
  }
}

function observeJob(kind: string, outcome: "done" | "retry" | "failed", startedMs: number) {
  metrics().jobDuration.observe({ kind, outcome }, (Date.now() - startedMs) / 1000);
}

/** One pass of the sweeper: claims due jobs and runs them, a few at a time. */
export async function sweepOnce(opts: { limit?: number; concurrency?: number } = {}): Promise<number> {
  const limit = opts.limit ?? 10;
  let taken = 0;
  // Each worker claims one job when it is ready to run it: a job claimed but left waiting
  // would have no heartbeat, and another instance would take it over once the lease
  // (10 s) passed, running it twice.
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 2, limit) }, async () => {
    while (taken < limit) {
      taken++;
      const [job] = await claimJobs({ limit: 1 });
      if (!job) {
        taken--;
        return;
      }
      await runJob(job);
    }
  });
  await Promise.all(workers);
  return taken;
}
