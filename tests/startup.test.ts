import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { api, signUp } from "./support/api";
import { startAppServer, tempDataDir } from "./support/app-server";
import { adminUrl, createTenantRole } from "./support/postgres-admin";

// What an operator sees when starting the app: fail-fast configuration errors, a data
// directory one process at a time, and data that survives a restart.
const migrateCli = (env: Record<string, string>) =>
  spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "--conditions=react-server", "scripts/db-migrate.ts"], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });

// PGlite-specific; the postgres project runs the migrations check below only.
if (process.env.TEST_DB !== "postgres")
  describe("starting the app (embedded mode)", () => {
    it("a bad variable stops the server with a message naming it", async () => {
      await expect(startAppServer({ DATABASE_URL: "mysql://nope" })).rejects.toThrow(
        /Cannot start: Invalid environment configuration:\s+DATABASE_URL: must be a postgres/,
      );
      const res = migrateCli({ ENCRYPTION_KEY: "too-short" });
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/ENCRYPTION_KEY: must be 32 bytes, base64-encoded/);
    });

    it("a second process cannot open a data directory in use, and the first keeps working", async () => {
      const server = await startAppServer({});
      try {
        const res = migrateCli({ DATA_DIR: server.dataDir });
        expect(res.status).toBe(1);
        expect(res.stderr).toMatch(/already open in process \d+/);
        const s = await signUp({}, server.url);
        const me = await api("/api/v1/customers/me", { token: s.token, baseUrl: server.url });
        expect(me.status).toBe(200);
      } finally {
        await server.stop();
      }
    });

    it("accounts survive a crash and restart; the lock the killed process left is taken over", async () => {
      const dataDir = tempDataDir("restart");
      const first = await startAppServer({}, { dataDir });
      const s = await signUp({ company_name: "Persistent SARL" }, first.url);
      const before = await api("/api/v1/customers/me", { token: s.token, baseUrl: first.url });
      await first.crash();

      const second = await startAppServer({}, { dataDir });
      try {
        const login = await api("/api/v1/auth/login", {
          method: "POST",
          body: { email: s.email, password: s.password },
          baseUrl: second.url,
        });
        expect(login.status).toBe(200);
        expect(login.body.customer.name).toBe("Persistent SARL");
        // The token issued before the restart is still valid: the signing key persisted too.
        const me = await api("/api/v1/customers/me", { token: s.token, baseUrl: second.url });
        expect(me.status).toBe(200);
        expect(me.body.inbound_webhook.secret).toBe(before.body.inbound_webhook.secret);
      } finally {
        await second.stop();
      }
    });
  });

describe("migrations", () => {
  it("apply once: a second run applies nothing and succeeds", () => {
    const env: Record<string, string> =
      process.env.TEST_DB === "postgres"
        ? { DATABASE_URL: inject("databaseUrl") as string, ENCRYPTION_KEY: inject("encryptionKey") }
        : { DATA_DIR: tempDataDir("migrate") };
    const first = migrateCli({ ...env, LOG_LEVEL: "info" });
    expect(first.status, first.stderr).toBe(0);
    if (process.env.TEST_DB !== "postgres") expect(first.stdout).toMatch(/"applied":\["\d+_extensions_and_helpers"/);
    const second = migrateCli({ ...env, LOG_LEVEL: "info" });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/"applied":\[\]/);
  });
});

// Least privilege (docs/deploy.md, "Database roles"). PostgreSQL only: PGlite is always
// one superuser session.
if (process.env.TEST_DB === "postgres")
  describe("database roles", () => {
    const env = () => ({ DATABASE_URL: inject("databaseUrl") as string, ENCRYPTION_KEY: inject("encryptionKey") });

    it("connecting as a superuser is warned about loudly at start", () => {
      const res = migrateCli({ ...env(), LOG_LEVEL: "info" });
      expect(res.status, res.stderr).toBe(0);
      expect(`${res.stdout}${res.stderr}`).toMatch(
        /"level":40.*DATABASE_URL connects as the superuser \\"postgres\\": a superuser ignores row-level security/,
      );
    });

    it("a tenant connection that could leave its role is refused at start, naming what is wrong", () => {
      // The superuser itself as the "tenant" role: everything a tenant role must not be.
      const res = migrateCli({ ...env(), DATABASE_TENANT_URL: inject("databaseUrl") as string });
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/DATABASE_TENANT_URL connects as "postgres", which is a superuser, has BYPASSRLS/);
    });

    it("so is a tenant role that could switch to another role, such as the tables' owner", async () => {
      const tenant = await createTenantRole(inject("databaseUrl") as string);
      const owner = `pa_owner_${Date.now().toString(36)}`;
      const user = new URL(tenant.url).username;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create role ${owner} nologin`);
        await admin.unsafe(`grant ${owner} to ${user}`);
        const res = migrateCli({ ...env(), DATABASE_TENANT_URL: tenant.url });
        expect(res.status).toBe(1);
        expect(res.stderr).toContain(`DATABASE_TENANT_URL connects as "${user}", which can act as "${owner}"`);
        // Without that membership the same role is accepted.
        await admin.unsafe(`revoke ${owner} from ${user}`);
        const ok = migrateCli({ ...env(), DATABASE_TENANT_URL: tenant.url });
        expect(ok.status, ok.stderr).toBe(0);
      } finally {
        await admin.unsafe(`drop role if exists ${owner}`).catch(() => {});
        await admin.end();
        await tenant.drop();
      }
    });
  });
