import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { migrate } from "./migrate";
import { openPglite, openPostgres, type RawClient } from "./raw-client";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

interface Database {
  raw: RawClient;
  db: Db;
}

// One database per process, shared across Next.js bundles (instrumentation and route
// handlers are separate module graphs), hence globalThis.
const globalKey = Symbol.for("pdf-answers.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<Database> };

/** The process's database, opened and migrated on first use. */
export function database(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  g[globalKey] ??= open().catch((err) => {
    delete g[globalKey];
    throw err;
  });
  return g[globalKey];
}

async function open(): Promise<Database> {
  const cfg = config();
  const started = Date.now();
  const raw =
    cfg.database === "postgres"
      ? await openPostgres(cfg.DATABASE_URL as string, cfg.DATABASE_POOL_SIZE)
      : await openPglite(cfg.dataDir);
  const result = await migrate(raw);
  const db = await wrap(raw);
  log.info(
    { database: raw.kind, applied: result.applied, ms: Date.now() - started },
    result.applied.length > 0 ? "database migrated" : "database ready",
  );
  return { raw, db };
}

async function wrap(raw: RawClient): Promise<Db> {
  if (raw.kind === "pglite") {
    const { drizzle } = await import("drizzle-orm/pglite");
    return drizzle({ client: raw.pglite, schema }) as unknown as Db;
  }
  const { drizzle } = await import("drizzle-orm/postgres-js");
  return drizzle({ client: raw.sql, schema }) as unknown as Db;
}

/** Closes the process's database (tests and scripts). */
export async function closeDatabase(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const pending = g[globalKey];
  delete g[globalKey];
  if (pending) await (await pending).raw.close();
}

/** Verified identity a unit of work runs as; becomes `request.jwt.claims`. */
export interface Claims {
  sub?: string;
  email?: string;
  role: "authenticated";
  app_role?: "account_user" | "support_user" | "global_admin";
  customer_id: string;
}

/**
 * Runs `fn` in a transaction as a tenant: role `authenticated` and the verified claims,
 * both transaction-local, so row-level security decides what every statement sees.
 * This is the only way tenant data is read or written.
 */
export async function withTenant<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await database();
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`,
    );
    return fn(tx);
  });
}

/**
 * Runs `fn` as service_role, which bypasses row-level security. Reserved for
 * authentication look-ups (before an identity exists), job claiming and audited
 * admin reads; every call site says which of these it is.
 */
export async function asService<T>(reason: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await database();
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', 'service_role', true), set_config('request.jwt.claims', ${JSON.stringify({ role: "service_role", reason })}, true)`,
    );
    return fn(tx);
  });
}

/** Rows of a raw SQL statement, whichever driver runs it. */
export async function rows<T>(tx: Tx | Db, query: SQL): Promise<T[]> {
  const result = (await tx.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
