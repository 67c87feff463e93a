import type { Instrumentation } from "next";

/**
 * Runs once when the server starts: validates the configuration, starts error reporting
 * (Sentry, only with SENTRY_DSN), opens the database and applies pending migrations, so
 * a fresh clone serves a ready schema on its first request. A bad configuration or an
 * unusable database stops the process with a message saying what to fix, instead of a
 * server that answers 500 to everything.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { config } = await import("@/lib/config");
    config();
    const { sentry } = await import("@/lib/report-error");
    await sentry();
    // Before the database makes this process large: PDF readers are forked by this small
    // launcher, never by the server (lib/documents/pdf-launcher.mjs says why).
    const { startPdfLauncher } = await import("@/lib/documents/pdf-readers");
    startPdfLauncher();
    const { database } = await import("@/lib/db/client");
    await database();
    // Self-hosted: finish leftover jobs in-process. On Vercel a cron does it.
    if (!process.env.VERCEL) {
      // Embedded mode: what the previous (dead) process was running restarts now, not after its lease.
      const { requeueInterruptedJobs } = await import("@/lib/jobs/startup-recovery");
      await requeueInterruptedJobs();
      const { startSweeper } = await import("@/lib/jobs/sweeper");
      startSweeper();
    }
  } catch (err) {
    console.error(`\nCannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

/** Errors Next.js sees in pages, server actions and route handlers go to Sentry (a no-op without a DSN). */
export const onRequestError: Instrumentation.onRequestError = async (err, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { sentry } = await import("@/lib/report-error");
  (await sentry())?.captureRequestError(err, request, context);
};
