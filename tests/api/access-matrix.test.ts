import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { users } from "@/lib/db/schema";
import { type ApiResponse, api, expectError } from "../support/api";
import { apiEndpoints, type Endpoint, fillPath } from "../support/api-routes";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { SEED_PASSWORD, type SeededTenant, seedTenant } from "../support/seed";

// Every endpoint (found by walking app/api/v1) × (no credentials, another tenant's ids,
// a role that may not call it) answers as API.md says: 401 unauthenticated, 404
// not_found (exactly as for an id that does not exist), 403 forbidden; always in the
// error envelope, and without doing anything.

const endpoints = apiEndpoints();
const label = (e: Endpoint) => `${e.method} ${e.template}`;

let baseUrl: string;
let server: AppServer | null = null;
let a: SeededTenant;
let b: SeededTenant;
const tokens = { a: "", b: "", admin: "", support: "" };
const staff = {
  admin: `matrix-admin-${randomUUID().slice(0, 8)}@example.test`,
  support: `matrix-support-${randomUUID().slice(0, 8)}@example.test`,
};

beforeAll(async () => {
  const db = await openDirectDatabase();
  a = await seedTenant("Matrix Alpha");
  b = await seedTenant("Matrix Bravo");
  const hashed = await hashPassword(SEED_PASSWORD);
  // Staff have no workspace of their own: seeded, as sign-up makes account owners.
  await db.asService("test fixture", (tx) =>
    tx.insert(users).values([
      { email: staff.admin, hashedPassword: hashed, role: "global_admin" as const },
      { email: staff.support, hashedPassword: hashed, role: "support_user" as const },
    ]),
  );
  await db.closeDatabase();
  if (db.kind === "pglite") {
    server = await startAppServer(
      { MANYCHAT_API_URL: inject("manychatUrl"), CRON_SECRET: "matrix-cron" },
      {
        dataDir: db.dataDir,
      },
    );
    baseUrl = server.url;
  } else {
    baseUrl = inject("baseUrl");
  }
  const login = async (email: string) => {
    const res = await api("/api/v1/auth/login", { method: "POST", body: { email, password: SEED_PASSWORD }, baseUrl });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.access_token as string;
  };
  tokens.a = await login(a.email);
  tokens.b = await login(b.email);
  tokens.admin = await login(staff.admin);
  tokens.support = await login(staff.support);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** Ids that exist, for paths whose handler is reached: the admin's targets are tenant A's. */
const existingIds = (e: Endpoint) =>
  fillPath(e.template, (param, catchAll) => {
    if (catchAll) return "no/such/endpoint";
    if (e.template.startsWith("/api/v1/admin/users/")) return a.userId;
    if (e.template.startsWith("/api/v1/admin/customers/")) return a.customerId;
    if (e.template.startsWith("/api/v1/documents/")) return a.ids.documents;
    throw new Error(`${label(e)}: no id for [${param}]; add one to the access matrix`);
  });

/** Tenant B's ids in tenant-scoped paths. */
const othersIds = (e: Endpoint) =>
  fillPath(e.template, (param) => {
    if (e.template.startsWith("/api/v1/documents/")) return b.ids.documents;
    throw new Error(`${label(e)}: no id of another tenant for [${param}]; add one to the access matrix`);
  });

const call = (e: Endpoint, path: string, token?: string): Promise<ApiResponse> =>
  api(path, {
    method: e.method,
    token,
    baseUrl,
    ...(e.method === "GET" || e.method === "DELETE" ? {} : { body: {} }),
  });

describe("no credentials", () => {
  const authenticated = endpoints.filter((e) => e.access !== "public");
  it.each(authenticated.map((e) => [label(e), e] as const))("%s → 401", async (_, e) => {
    const res = await call(e, existingIds(e));
    expectError(res, 401, "unauthenticated");
  });

  // Public endpoints guard themselves (a secret, a signed token) or are public on purpose.
  // A new one must be classified here.
  const PUBLIC: Record<string, { status: number; code?: string; orUnauthenticated?: boolean }> = {
    "POST /api/v1/webhook/manychat": { status: 401, code: "unauthenticated" },
    // Authenticated by the Stripe-Signature header on the raw body: none → 400, nothing done.
    "POST /api/v1/billing/stripe-webhook": { status: 400, code: "invalid_signature" },
    "GET /api/v1/cron/sweep": { status: 401, code: "unauthenticated" },
    "PUT /api/v1/storage/upload": { status: 401, code: "unauthenticated" },
    "POST /api/v1/auth/login": { status: 422, code: "validation_failed" },
    "POST /api/v1/auth/signup": { status: 422, code: "validation_failed" },
    "POST /api/v1/auth/logout": { status: 204 },
    "GET /api/v1/health": { status: 200 },
    "GET /api/v1/openapi.json": { status: 200 },
    // 401 when the server has a METRICS_TOKEN.
    "GET /api/v1/metrics": { status: 200, orUnauthenticated: true },
    "GET /api/v1/[...path]": { status: 404, code: "not_found" },
    "POST /api/v1/[...path]": { status: 404, code: "not_found" },
    "PUT /api/v1/[...path]": { status: 404, code: "not_found" },
    "PATCH /api/v1/[...path]": { status: 404, code: "not_found" },
    "DELETE /api/v1/[...path]": { status: 404, code: "not_found" },
  };
  const publicOnes = endpoints.filter((e) => e.access === "public");
  it("every public endpoint is classified", () => {
    expect(publicOnes.map(label).filter((l) => !(l in PUBLIC))).toEqual([]);
  });
  it.each(publicOnes.filter((e) => label(e) in PUBLIC).map((e) => [label(e), e] as const))(
    "%s answers as a public endpoint should",
    async (name, e) => {
      const expected = PUBLIC[name] as { status: number; code?: string; orUnauthenticated?: boolean };
      const res = await call(e, existingIds(e));
      if (expected.orUnauthenticated && res.status === 401) expectError(res, 401, "unauthenticated");
      else if (expected.code) expectError(res, expected.status, expected.code);
      else expect(res.status, JSON.stringify(res.body)).toBe(expected.status);
    },
  );
});

describe("another tenant's ids", () => {
  const withIds = endpoints.filter((e) => e.access === "tenant" && e.template.includes("["));
  it("covers every tenant endpoint with an id in its path", () => {
    expect(withIds.length).toBeGreaterThan(0);
  });
  it.each(withIds.map((e) => [label(e), e] as const))("%s → 404, as for an id that does not exist", async (_, e) => {
    const theirs = await call(e, othersIds(e), tokens.a);
    expectError(theirs, 404, "not_found");
    const missing = await call(
      e,
      fillPath(e.template, () => randomUUID()),
      tokens.a,
    );
    expectError(missing, 404, "not_found");
    expect(theirs.body.error.message).toBe(missing.body.error.message);
  });

  it("B's document is untouched by A's attempts", async () => {
    const doc = await api(`/api/v1/documents/${b.ids.documents}`, { token: tokens.b, baseUrl });
    expect(doc.status).toBe(200);
    expect(doc.body.id).toBe(b.ids.documents);
  });

  const lists = endpoints.filter((e) => e.access === "tenant" && e.method === "GET" && !e.template.includes("["));
  it.each(lists.map((e) => [label(e), e] as const))("%s shows nothing of another tenant", async (_, e) => {
    const res = await call(e, e.template, tokens.a);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    for (const id of [b.customerId, b.userId, b.ids.documents, b.ids.messages, b.email]) {
      expect(text).not.toContain(id);
    }
  });
});

describe("a role that may not call the endpoint", () => {
  const restricted = endpoints.filter((e) => e.roles);
  it.each(restricted.map((e) => [label(e), e] as const))("%s → 403 for a tenant owner", async (_, e) => {
    expectError(await call(e, existingIds(e), tokens.a), 403, "forbidden");
  });

  const adminOnly = restricted.filter((e) => !e.roles?.includes("support_user"));
  it.each(adminOnly.map((e) => [label(e), e] as const))("%s → 403 for support (read-only)", async (_, e) => {
    expectError(await call(e, existingIds(e), tokens.support), 403, "forbidden");
  });

  const tenantOnly = endpoints.filter((e) => e.access === "tenant");
  it.each(tenantOnly.map((e) => [label(e), e] as const))(
    "%s → 403 for staff without a workspace of their own",
    async (_, e) => {
      expectError(await call(e, existingIds(e), tokens.admin), 403, "forbidden");
    },
  );

  it("tenant A was not suspended, restored or changed by any of it", async () => {
    const me = await api("/api/v1/customers/me", { token: tokens.a, baseUrl });
    expect(me.status).toBe(200);
    expect(me.body.status).toBe("active");
  });
});
