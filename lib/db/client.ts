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
  /** The connection tenant transactions run on: `db` itself unless DATABASE_TENANT_URL is set. */
  tenantDb: Db;
  role: DatabaseRole;
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
  let tenantRaw: RawClient | undefined;
  try {
    const result = await migrate(raw);
    const db = await wrap(raw);
    const main = await readRole(db);
    tenantRaw = cfg.DATABASE_TENANT_URL
      ? await openPostgres(cfg.DATABASE_TENANT_URL, cfg.DATABASE_POOL_SIZE)
      : undefined;
    const tenantDb = tenantRaw ? await wrap(tenantRaw) : db;
    if (tenantRaw) assertContainedTenantRole(await readRole(tenantDb));
    const role: DatabaseRole = {
      superuser: main.superuser,
      tenant_connection: tenantRaw ? "dedicated" : "shared",
    };
    if (raw.kind === "postgres" && main.superuser) {
      log.warn(
        { database_user: main.user },
        `DATABASE_URL connects as the superuser "${main.user}": a superuser ignores row-level security and every privilege. Connect as a dedicated owner role and set DATABASE_TENANT_URL to a role that is a member of "authenticated" only (docs/deploy.md, "Database roles").`,
      );
    }
    log.info(
      { database: raw.kind, applied: result.applied, ms: Date.now() - started, database_user: main.user, ...role },
      result.applied.length > 0 ? "database migrated" : "database ready",
    );
    if (tenantRaw) {
      const closeTenant = tenantRaw.close;
      const closeMain = raw.close;
      raw.close = async () => {
        await Promise.all([closeMain(), closeTenant()]);
      };
    }
    return { raw, db, tenantDb, role };
  } catch (err) {
    await Promise.all([raw.close(), tenantRaw?.close()]).catch(() => {});
    throw err;
  }
}

/** Who the app is in the database, for /health and the start-up warning. */
export interface DatabaseRole {
  superuser: boolean;
  /** "dedicated": tenant work runs on its own login role (DATABASE_TENANT_URL). */
  tenant_connection: "dedicated" | "shared";
}

export async function databaseRole(): Promise<DatabaseRole> {
  return (await database()).role;
}

interface RoleFacts {
  user: string;
  superuser: boolean;
  bypassrls: boolean;
  service: boolean;
  authenticated: boolean;
  createrole: boolean;
  /** Roles it can act as besides itself, `authenticated` and `anon` (e.g. the tables' owner). */
  others: string[];
}

async function readRole(db: Db): Promise<RoleFacts> {
  const [facts] = await rows<RoleFacts>(
    db,
    sql`select current_user as "user", r.rolsuper as superuser, r.rolbypassrls as bypassrls,
          pg_has_role(current_user, 'service_role', 'MEMBER') as service,
          pg_has_role(current_user, 'authenticated', 'MEMBER') as authenticated,
          r.rolcreaterole as createrole,
          array(select o.rolname::text from pg_roles o
                where o.rolname not in (current_user, 'authenticated', 'anon')
                  and pg_has_role(current_user, o.oid, 'MEMBER') order by 1) as others
        from pg_roles r where r.rolname = current_user`,
  );
  return facts as RoleFacts;
}

/**
 * The tenant connection exists so that a tenant transaction cannot leave its role: RESET
 * ROLE must land on a role that can do nothing, and SET ROLE service_role must be refused.
 * A role that could do more is a configuration error, refused at start.
 */
function assertContainedTenantRole(r: RoleFacts): void {
  const problems = [
    r.superuser && "is a superuser",
    r.bypassrls && "has BYPASSRLS",
    r.service && 'can act as "service_role"',
    r.createrole && "has CREATEROLE",
    !r.service && r.others.length > 0 && `can act as ${r.others.map((o) => `"${o}"`).join(", ")}`,
    !r.authenticated && 'is not a member of "authenticated"',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `DATABASE_TENANT_URL connects as "${r.user}", which ${problems.join(", ")}. It must be a login role that is a member of "authenticated" only, e.g. create role pdf_answers_tenant login noinherit password '…'; grant authenticated to pdf_answers_tenant; (docs/deploy.md, "Database roles").`,
    );
  }
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
 * This is the only way tenant data is read or written. With DATABASE_TENANT_URL it runs on
 * a login role that is a member of `authenticated` only, so even injected SQL could not
 * `RESET ROLE` or `SET ROLE service_role` its way out.
 */
export async function withTenant<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { tenantDb } = await database();
  return tenantDb.transaction(async (tx) => {
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
