import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * Fresh PostgreSQL databases for a test run, created on the server named by
 * TEST_DATABASE_ADMIN_URL (default: local postgres with trust auth) and dropped after.
 */
export const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function postgresReachable(): Promise<boolean> {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function createDatabase(prefix = "pa_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * A login role for tenant work, as docs/deploy.md ("Database roles") tells a deployer to
 * create: a member of `authenticated` only, with no privileges of its own. Returns the
 * database URL as that role (DATABASE_TENANT_URL) and a drop for after the run.
 */
export async function createTenantRole(databaseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pa_tenant_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // The app's bootstrap creates `authenticated` on first start; the grant needs it now.
    await admin.unsafe(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'authenticated') then
          create role authenticated nologin noinherit;
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
    await admin.unsafe(`create role ${name} login noinherit`);
    await admin.unsafe(`grant authenticated to ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.username = name;
  url.password = "";
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop role if exists ${name}`).catch(() => {});
      await a.end();
    },
  };
}
