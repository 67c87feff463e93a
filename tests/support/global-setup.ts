import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { type AppServer, startAppServer } from "./app-server";
import { createDatabase, createTenantRole } from "./postgres-admin";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string | null;
    manychatUrl: string;
    geminiUrl: string;
    serverDataDir: string;
    encryptionKey: string;
  }
}

/**
 * One app server per project (database kind), shared by its API test files. The
 * PostgreSQL project gets a fresh database; the PGlite project a fresh data dir.
 */
export default async function setup(project: TestProject) {
  const kind = project.name === "postgres" ? "postgres" : "pglite";
  const { startManychatFake } = await import("../fakes/manychat");
  const manychat = await startManychatFake();
  const { startGeminiFake } = await import("../fakes/gemini");
  const gemini = await startGeminiFake();
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let tenantRole: { url: string; drop: () => Promise<void> } | null = null;
  let server: AppServer;
  const encryptionKey = randomBytes(32).toString("base64");
  try {
    if (kind === "postgres") {
      database = await createDatabase();
      // Tenant work on its own contained login role, as docs/deploy.md recommends: the
      // whole PostgreSQL suite runs the way a careful deployment does.
      tenantRole = await createTenantRole(database.url);
    }
    server = await startAppServer({
      MANYCHAT_API_URL: manychat.url,
      GEMINI_API_KEY: "test-gemini-key",
      GEMINI_BASE_URL: gemini.url,
      JOB_LEASE_SECONDS: "5",
      CRON_SECRET: "test-cron-secret",
      METRICS_TOKEN: "test-metrics-token",
      JOB_RETRY_BASE_MS: "200",
      GEMINI_MAX_ATTEMPTS: "3",
      GEMINI_RETRY_BASE_MS: "50",
      SWEEPER_INTERVAL_MS: "300",
      ADMIN_EMAILS: "admin@example.test",
      ENCRYPTION_KEY: encryptionKey,
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(tenantRole ? { DATABASE_TENANT_URL: tenantRole.url } : {}),
    });
  } catch (err) {
    await manychat.close();
    await gemini.close();
    await database?.drop();
    await tenantRole?.drop();
    throw err;
  }
  project.provide("baseUrl", server.url);
  project.provide("databaseUrl", database?.url ?? null);
  project.provide("manychatUrl", manychat.url);
  project.provide("geminiUrl", gemini.url);
  project.provide("serverDataDir", server.dataDir);
  project.provide("encryptionKey", encryptionKey);
  return async () => {
    await server.stop();
    await manychat.close();
    await gemini.close();
    await database?.drop();
    await tenantRole?.drop();
  };
}
