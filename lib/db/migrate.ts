import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { RawClient } from "./raw-client";

/**
 * Applies supabase/migrations/*.sql in order, once each, to PGlite or PostgreSQL.
 * Applied versions are recorded in supabase_migrations.schema_migrations, the table
 * the Supabase CLI uses, so `supabase db push` and this runner agree on what is done.
 * Off Supabase, a bootstrap first creates the roles and auth.* helpers Supabase has.
 */
const root = process.cwd();
const migrationsDir = path.join(root, "supabase", "migrations");
const seedFile = path.join(root, "supabase", "seed.sql");
const bootstrapFile = path.join(root, "lib", "db", "sql", "bootstrap-off-supabase.sql");

export interface MigrationResult {
  applied: string[];
  supabase: boolean;
}

interface Runner {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  script(text: string): Promise<void>;
  /** Runs fn in a transaction that holds the migration lock until it ends. */
  transaction(fn: (r: Runner) => Promise<void>): Promise<void>;
}

/**
 * Several instances may start at once: each step takes this transaction-scoped advisory
 * lock, so one migrates while the others wait, then find the work done. Transaction-scoped
 * (not session-level) so it also holds through a transaction-mode pooler (Supabase's port
 * 6543), where consecutive statements outside a transaction may run on different server
 * connections.
 */
const MIGRATION_LOCK = 7243190512;

export function listMigrations(): { version: string; name: string; file: string }[] {
  return fs
    .readdirSync(migrationsDir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = /^(\d+)_(.+)\.sql$/.exec(file) as RegExpExecArray;
      return { version: version as string, name: name as string, file: path.join(migrationsDir, file) };
    });
}

export async function migrate(client: RawClient): Promise<MigrationResult> {
  if (client.kind === "pglite") {
    return run(pgliteRunner(client.pglite));
  }
  const conn = await client.sql.reserve();
  try {
    return await run(postgresRunner(conn));
  } finally {
    conn.release();
  }
}

async function run(r: Runner): Promise<MigrationResult> {
  const [{ supabase }] = (await r.query<{ supabase: boolean }>(
    "select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase",
  )) as [{ supabase: boolean }];
  await r.transaction(async (tx) => {
    if (!supabase) await tx.script(fs.readFileSync(bootstrapFile, "utf8"));
    await tx.script(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text not null primary key,
        statements text[],
        name text
      );`);
  });
  const applied: string[] = [];
  for (const m of listMigrations()) {
    await r.transaction(async (tx) => {
      // Read under the lock: another instance may have applied it meanwhile.
      const done = await tx.query("select 1 from supabase_migrations.schema_migrations where version = $1", [
        m.version,
      ]);
      if (done.length > 0) return;
      await tx.script(fs.readFileSync(m.file, "utf8"));
      await tx.query("insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)", [
        m.version,
        m.name,
      ]);
      applied.push(`${m.version}_${m.name}`);
    });
  }
  if (fs.existsSync(seedFile)) {
    const seed = fs.readFileSync(seedFile, "utf8");
    await r.transaction((tx) => tx.script(seed));
  }
  return { applied, supabase };
}

function pgliteRunner(pg: import("@electric-sql/pglite").PGlite): Runner {
  const make = (q: Pick<typeof pg, "query" | "exec">): Runner => ({
    query: async <T>(text: string, params?: unknown[]) => (await q.query<T>(text, params)).rows,
    script: async (text) => {
      await q.exec(text);
    },
    // One backend, queries serialized: no other instance can open the data dir (lib/db).
    transaction: async (fn) => {
      await pg.transaction(async (tx) => fn(make(tx)));
    },
  });
  return make(pg);
}

function postgresRunner(conn: import("postgres").ReservedSql): Runner {
  const r: Runner = {
    query: async <T>(text: string, params?: unknown[]) =>
      (await conn.unsafe(text, (params ?? []) as never[])) as unknown as T[],
    script: async (text) => {
      await conn.unsafe(text);
    },
    transaction: async (fn) => {
      await conn.unsafe("begin");
      try {
        await conn.unsafe(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
        await fn(r);
        await conn.unsafe("commit");
      } catch (err) {
        await conn.unsafe("rollback");
        throw err;
      }
    },
  };
  return r;
}
