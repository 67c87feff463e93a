import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, expectError } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { type SeededTenant, seedTenant } from "../support/seed";

// API calls as tenant A naming tenant B's ids answer 404, exactly as for ids that do
// not exist. The tenants are seeded straight into the database the server uses.
let baseUrl: string;
let server: AppServer | null = null;
let a: SeededTenant;
let b: SeededTenant;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  const db = await openDirectDatabase();
  a = await seedTenant("Alpha Cross");
  b = await seedTenant("Bravo Cross");
  if (db.kind === "pglite") {
    // PGlite allows one process per data directory: hand ours over to a server of its own.
    await db.closeDatabase();
    server = await startAppServer({}, { dataDir: db.dataDir });
    baseUrl = server.url;
  } else {
    await db.closeDatabase();
    baseUrl = inject("baseUrl");
  }
  const login = async (t: SeededTenant) => {
    const res = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: t.email, password: t.password },
      baseUrl,
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  tokenA = await login(a);
  tokenB = await login(b);
});

afterAll(async () => {
  await server?.stop();
});

describe("cross-tenant ids", () => {
  it("a tenant reads its own document", async () => {
    const own = await api(`/api/v1/documents/${a.ids.documents}`, { token: tokenA, baseUrl });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: a.ids.documents, filename: "Alpha Cross-catalogue.pdf", status: "processed" });
  });

  it("another tenant's document id is a 404, like an id that does not exist", async () => {
    const theirs = await api(`/api/v1/documents/${b.ids.documents}`, { token: tokenA, baseUrl });
    expectError(theirs, 404, "not_found");
    const missing = await api("/api/v1/documents/00000000-0000-4000-8000-000000000000", { token: tokenA, baseUrl });
    expectError(missing, 404, "not_found");
    expect(theirs.body.error.message).toBe(missing.body.error.message);
  });

  it("lists contain only the caller's documents", async () => {
    const listA = await api("/api/v1/documents", { token: tokenA, baseUrl });
    const listB = await api("/api/v1/documents", { token: tokenB, baseUrl });
    expect(listA.body.items.map((d: { id: string }) => d.id)).toEqual([a.ids.documents]);
    expect(listB.body.items.map((d: { id: string }) => d.id)).toEqual([b.ids.documents]);
    expect(listA.body.next_cursor).toBeNull();
  });

  it("each tenant's profile is its own", async () => {
    const meA = await api("/api/v1/customers/me", { token: tokenA, baseUrl });
    const meB = await api("/api/v1/customers/me", { token: tokenB, baseUrl });
    expect(meA.body.id).toBe(a.customerId);
    expect(meB.body.id).toBe(b.customerId);
    expect(meA.body.inbound_webhook.secret).not.toBe(meB.body.inbound_webhook.secret);
  });
});
