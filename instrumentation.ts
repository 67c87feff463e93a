/**
 * Runs once when the server starts: validates the configuration, opens the database
 * and applies pending migrations, so a fresh clone serves a ready schema on its first
 * request. A bad configuration or an unusable database stops the process with a
 * message saying what to fix, instead of a server that answers 500 to everything.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { config } = await import("@/lib/config");
    config();
    const { database } = await import("@/lib/db/client");
    await database();
    // Self-hosted: finish leftover jobs in-process. On Vercel a cron does it.
    if (!process.env.VERCEL) {
      const { startSweeper } = await import("@/lib/jobs/sweeper");
      startSweeper();
    }
  } catch (err) {
    console.error(`\nCannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
