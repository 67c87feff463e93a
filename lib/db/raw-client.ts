import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";

/**
 * The two physical databases behind one tiny interface: PGlite in-process (the
 * embedded default) or a PostgreSQL server through postgres.js (DATABASE_URL).
 * Everything above this file uses Drizzle (lib/db/client.ts); only the migration
 * runner needs raw scripts.
 */
export type RawClient =
  | { kind: "pglite"; pglite: PGlite; close: () => Promise<void> }
  | { kind: "postgres"; sql: Sql; close: () => Promise<void> };

export async function openPglite(dataDir: string): Promise<RawClient> {
  fs.mkdirSync(dataDir, { recursive: true });
  const release = acquireDataDirLock(dataDir);
  const [{ PGlite }, { vector }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-pgvector"),
  ]);
  const pglite = await PGlite.create(path.join(dataDir, "pgdata"), { extensions: { vector } });
  return {
    kind: "pglite",
    pglite,
    close: async () => {
      await pglite.close();
      release();
    },
  };
}

export async function openPostgres(url: string, max: number): Promise<RawClient> {
  const { default: postgres } = await import("postgres");
  // prepare:false keeps us compatible with Supabase's transaction pooler, and avoids
  // generic plans that ignore per-transaction settings.
  const sql = postgres(url, {
    max,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "pdf-answers" },
  });
  return { kind: "postgres", sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * PGlite takes no lock of its own: two processes opening one data directory both
 * "succeed" and one silently loses its writes. A lock file holding our pid refuses
 * the second process with a clear message; a lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, "pglite.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      const release = () => {
        try {
          if (fs.readFileSync(lockPath, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(fs.readFileSync(lockPath, "utf8").trim(), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database in ${dataDir} is already open in process ${owner}. ` +
            "Stop that process or set DATA_DIR to another directory (two processes on one PGlite directory would lose writes).",
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
