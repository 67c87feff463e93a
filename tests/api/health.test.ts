import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";

// GET /health is what a load balancer asks: 200 when this instance reaches its database
// and its file storage, 503 naming what is down otherwise.
describe("GET /health", () => {
  it("reports the database, the storage and the age of the oldest pending job", async () => {
    const res = await api("/api/v1/health");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: "ok",
      down: [],
      database: "ok",
      storage: "ok",
      storage_kind: "local",
      database_ms: expect.any(Number),
    });
    const age = res.body.oldest_pending_job_age_seconds;
    expect(age === null || (typeof age === "number" && age >= 0)).toBe(true);
    expect(res.body.errors).toBeUndefined();
    // Who the app is in the database. The PostgreSQL suite runs tenant work on a contained
    // login role (tests/support/global-setup.ts); PGlite is always one superuser session.
    expect(res.body.database_role).toMatchObject(
      process.env.TEST_DB === "postgres"
        ? { superuser: true, tenant_connection: "dedicated" }
        : { superuser: true, tenant_connection: "shared" },
    );
  });
});

/**
 * A TCP proxy in front of PostgreSQL: closing it (listener and every connection) is the
 * database going away for the app, at once and without touching the real server;
 * opening it again on the same port brings it back.
 */
function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = () =>
    new Promise<number>((resolve, reject) => {
      const listener = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => {});
          s.on("close", () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server = listener;
      listener.once("error", reject);
      listener.listen(port, "127.0.0.1", () => {
        port = (listener.address() as net.AddressInfo).port;
        resolve(port);
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  return { open, close };
}

const postgres = process.env.TEST_DB === "postgres";

describe("GET /health when something is down", () => {
  let server: AppServer;
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let proxy: ReturnType<typeof tcpProxy> | null = null;

  beforeAll(async () => {
    let databaseUrl: string | null = null;
    if (postgres) {
      database = await createDatabase("pa_health");
      const url = new URL(database.url);
      proxy = tcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(await proxy.open());
      databaseUrl = url.toString();
    }
    server = await startAppServer({
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      MANYCHAT_API_URL: "http://127.0.0.1:9",
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await database?.drop();
  });

  const health = () => api("/api/v1/health", { baseUrl: server.url });

  it("storage unusable → 503 naming the storage; back to 200 once it is fixed", async () => {
    expect((await health()).status).toBe(200);
    // The files folder replaced by a plain file: nothing can be stored any more.
    const files = path.join(server.dataDir, "files");
    fs.rmSync(files, { recursive: true, force: true });
    fs.writeFileSync(files, "not a folder");
    try {
      const res = await health();
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body).toMatchObject({ status: "down", down: ["storage"], storage: "down", database: "ok" });
      expect(res.body.errors.storage).toEqual(expect.any(String));
      expect(res.headers.get("x-request-id")).toEqual(expect.any(String));
    } finally {
      fs.rmSync(files, { force: true });
    }
    expect((await health()).status).toBe(200);
  });

  // PostgreSQL only: the embedded database lives inside the server process and cannot be
  // stopped on its own. Defined conditionally, so the PGlite run reports nothing skipped.
  const postgresOnly = postgres ? it : () => undefined;
  postgresOnly("database unreachable → 503 naming the database; back to 200 when it returns", async () => {
    expect((await health()).status).toBe(200);
    await proxy?.close();
    const started = Date.now();
    const res = await health();
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body).toMatchObject({
      status: "down",
      down: ["database"],
      database: "down",
      storage: "ok",
      oldest_pending_job_age_seconds: null,
    });
    expect(res.body.errors.database).toEqual(expect.any(String));
    // The answer comes at once (a refused connection) or after the 3 s check timeout, never a hang.
    expect(Date.now() - started).toBeLessThan(5000);

    await proxy?.open();
    const deadline = Date.now() + 15_000;
    let again = await health();
    while (again.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      again = await health();
    }
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.database).toBe("ok");
  });
});
