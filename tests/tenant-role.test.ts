import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDirectDatabase } from "./support/direct-db";
import { createTenantRole } from "./support/postgres-admin";
import { claimsOf, type SeededTenant, seedTenant } from "./support/seed";

// Least privilege for tenant work (docs/deploy.md, "Database roles"): with
// DATABASE_TENANT_URL, every tenant transaction runs on a login role that is a member of
// `authenticated` only. SQL that found its way into a tenant transaction (an injection)
// can then neither take service_role nor fall back to a role that sees every tenant.
// PostgreSQL only: PGlite is one superuser session (docs/architecture.md, Security).
if (process.env.TEST_DB === "postgres")
  describe("tenant transactions on a dedicated login role", () => {
    let db: Awaited<ReturnType<typeof openDirectDatabase>>;
    let role: Awaited<ReturnType<typeof createTenantRole>>;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      role = await createTenantRole(inject("databaseUrl") as string);
      process.env.DATABASE_TENANT_URL = role.url;
      db = await openDirectDatabase();
      a = await seedTenant("Alpha");
      b = await seedTenant("Bravo");
    });
    afterAll(async () => {
      await db?.closeDatabase();
      await role?.drop();
    });

    const asA = <T>(fn: Parameters<typeof db.withTenant<T>>[1]) => db.withTenant(claimsOf(a), fn);
    /** PostgreSQL's own words for why a tenant transaction failed (Drizzle wraps them). */
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => "no error",
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );

    it("is reported as dedicated, and the tenant's own rows are there as usual", async () => {
      expect(await db.databaseRole()).toMatchObject({ tenant_connection: "dedicated" });
      const seen = await asA((tx) => db.rows<{ id: string }>(tx, sql`select id::text as id from customers`));
      expect(seen.map((r) => r.id)).toEqual([a.customerId]);
    });

    it("SET LOCAL ROLE service_role inside a tenant transaction is refused", async () => {
      expect(await refusal(asA((tx) => tx.execute(sql`set local role service_role`)))).toMatch(
        /permission denied to set role "service_role"/,
      );
      expect(await refusal(asA((tx) => tx.execute(sql`select set_config('role', 'service_role', true)`)))).toMatch(
        /permission denied to set role "service_role"/,
      );
    });

    it("RESET ROLE inside a tenant transaction lands on a role that can read nothing", async () => {
      expect(
        await refusal(
          asA(async (tx) => {
            await tx.execute(sql`reset role`);
            return db.rows(tx, sql`select id from customers where id = ${b.customerId}`);
          }),
        ),
      ).toMatch(/permission denied for table customers/);
      expect(
        await refusal(
          asA(async (tx) => {
            await tx.execute(sql`set local role none`);
            return db.rows(tx, sql`select id from documents`);
          }),
        ),
      ).toMatch(/permission denied for table documents/);
    });

    it("service work still runs (on the main connection) and sees every tenant", async () => {
      const seen = await db.asService("test: service read", (tx) =>
        db.rows<{ id: string }>(
          tx,
          sql`select id::text as id from customers where id in (${a.customerId}, ${b.customerId})`,
        ),
      );
      expect(seen.map((r) => r.id).sort()).toEqual([a.customerId, b.customerId].sort());
    });
  });

// The embedded database is one superuser session: there is no second login role to
// contain tenant work, and /health says so rather than pretending.
if (process.env.TEST_DB !== "postgres")
  describe("tenant transactions on the embedded database", () => {
    it("share its one superuser session, as reported", async () => {
      const db = await openDirectDatabase();
      try {
        expect(await db.databaseRole()).toEqual({ superuser: true, tenant_connection: "shared" });
      } finally {
        await db.closeDatabase();
      }
    });

    it("a tenant connection URL without a PostgreSQL database is refused", async () => {
      const { loadConfig } = await import("@/lib/config");
      expect(() => loadConfig({ NODE_ENV: "test", DATABASE_TENANT_URL: "postgres://tenant@db.example/app" })).toThrow(
        /DATABASE_TENANT_URL is only used together with DATABASE_URL/,
      );
    });
  });
