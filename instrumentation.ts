/**
 * Runs once when the server starts: opens the database and applies pending
 * migrations, so a fresh clone serves a ready schema on its first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { database } = await import("@/lib/db/client");
  await database();
}
