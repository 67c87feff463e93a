/**
 * `npm run db:migrate`: applies pending migrations to the configured database
 * (DATABASE_URL, or the embedded PGlite in DATA_DIR) and exits. The app also does
 * this on start.
 */
import { ConfigError } from "@/lib/config";
import { closeDatabase, database } from "@/lib/db/client";

try {
  const { raw } = await database();
  console.warn(`Migrations are up to date (${raw.kind}).`);
  await closeDatabase();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
}
