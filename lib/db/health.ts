import "server-only";
import { sql } from "drizzle-orm";
import { database, rows } from "./client";

/** Whether the database answers, with its kind and the time a trivial query took. */
export async function checkDatabase(): Promise<{ ok: boolean; kind?: string; ms: number; error?: string }> {
  const started = performance.now();
  try {
    const { db, raw } = await database();
    await Promise.race([
      rows(db, sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000)),
    ]);
    return { ok: true, kind: raw.kind, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
  }
}
