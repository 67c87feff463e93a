import { inject } from "vitest";
import { tempDataDir } from "./app-server";

/**
 * Points this test file's own copy of lib/ at the project's database kind before any
 * lib module reads its configuration: PGlite in a fresh data dir (the app server holds
 * the lock on its own), or the run's PostgreSQL database shared with the app server.
 */
export async function openDirectDatabase(
  opts: { dataDir?: string; databaseUrl?: string; encryptionKey?: string } = {},
) {
  const kind = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
  const dataDir = opts.dataDir ?? tempDataDir("direct");
  process.env.DATA_DIR = dataDir;
  // The same key as the app server, so secrets written here are readable there.
  process.env.ENCRYPTION_KEY = opts.encryptionKey ?? inject("encryptionKey");
  if (kind === "postgres") {
    const url = opts.databaseUrl ?? inject("databaseUrl");
    if (!url) throw new Error("The postgres project has no database URL");
    process.env.DATABASE_URL = url;
  } else {
    delete process.env.DATABASE_URL;
  }
  const client = await import("@/lib/db/client");
  await client.database();
  return { kind, dataDir, ...client };
}

export const testMeta = { ip: "127.0.0.1", userAgent: "vitest", requestId: "test-request" };
