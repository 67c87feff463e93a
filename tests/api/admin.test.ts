import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { jobs, messages, users } from "@/lib/db/schema";
import { type ApiResponse, api, expectError, visitorIp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { SEED_PASSWORD, type SeededTenant, seedTenant } from "../support/seed";

// The admin console's API: staff roles, the plan editor, suspension, the audited support
// view, the audit log and queue health. Staff accounts cannot sign up (signup makes
// account owners), so they are seeded straight into the database the server uses.
let baseUrl: string;
let server: AppServer | null = null;
let tenant: SeededTenant;
let other: SeededTenant;
const staff = {
  admin: { email: `ops-admin-${randomUUID().slice(0, 8)}@example.test`, id: "", token: "", cookie: "" },
  support: { email: `ops-support-${randomUUID().slice(0, 8)}@example.test`, id: "", token: "", cookie: "" },
  owner: { email: "", id: "", token: "", cookie: "" },
};
const failedJobError = `boom ${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const db = await openDirectDatabase();
  tenant = await seedTenant("Admin Test Bakery");
  other = await seedTenant("Admin Test Garage");
  const hashed = await hashPassword(SEED_PASSWORD);
  await db.asService("test fixture", async (tx) => {
    const made = await tx
      .insert(users)
      .values([
        { email: staff.admin.email, hashedPassword: hashed, role: "global_admin" as const },
        { email: staff.support.email, hashedPassword: hashed, role: "support_user" as const },
      ])
      .returning({ id: users.id, email: users.email });
    for (const u of made) (u.email === staff.admin.email ? staff.admin : staff.support).id = u.id;
    // Failures for the health page: a job that failed for good and a message that got no answer.
    await tx.insert(jobs).values({
      customerId: other.customerId,
      kind: "ingest_document",
      status: "failed",
      attempts: 5,
      lastError: failedJobError,
    });
    await tx.insert(messages).values({
      customerId: other.customerId,
      subscriberId: "sub-failed",
      direction: "inbound",
      content: "Where is my order?",
      status: "failed",
      error: "ManyChat refused the message",
    });
  });
  await db.closeDatabase();
  if (db.kind === "pglite") {
    // PGlite allows one process per data directory: hand ours over to a server of its own.
    server = await startAppServer({ MANYCHAT_API_URL: inject("manychatUrl") }, { dataDir: db.dataDir });
    baseUrl = server.url;
  } else {
    baseUrl = inject("baseUrl");
  }
  staff.owner.email = tenant.email;
  staff.owner.id = tenant.userId;
  for (const who of Object.values(staff)) {
    const res = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: who.email, password: SEED_PASSWORD },
      headers: { "x-forwarded-for": visitorIp() },
      baseUrl,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    who.token = res.body.access_token;
    who.cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  }
});

afterAll(async () => {
  await server?.stop();
});

const as = (who: keyof typeof staff, path: string, init: Parameters<typeof api>[1] = {}) =>
  api(path, { ...init, token: staff[who].token, baseUrl });

/** A server-rendered admin page, as a browser with the session cookie gets it. */
async function page(who: keyof typeof staff, path: string) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: staff[who].cookie }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

const planBody = (overrides: Record<string, unknown> = {}) => ({
  name: `Test plan ${randomUUID().slice(0, 6)}`,
  monthly_request_limit: 500,
  storage_limit_mb: 100,
  price_cents: 1500,
  overage_price_cents: 3,
  ...overrides,
});

async function auditEntries(query: Record<string, string>) {
  const res = await as("admin", `/api/v1/admin/audit-logs?${new URLSearchParams(query)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as {
    id: string;
    action: string;
    created_at: string;
    actor: { user_id: string | null; email: string | null; role: string | null };
    customer: { id: string; name: string | null } | null;
    target_type: string | null;
    target_id: string | null;
    ip: string | null;
    user_agent: string | null;
    request_id: string | null;
    metadata: Record<string, unknown>;
  }[];
}

describe("plans (POST /admin/subscriptions)", () => {
  it("a global admin creates a plan (201), then updates it (200); both staff roles list it", async () => {
    const body = planBody();
    const created = await as("admin", "/api/v1/admin/subscriptions", { method: "POST", body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: body.name,
      monthly_request_limit: 500,
      storage_limit_mb: 100,
      price_cents: 1500,
      overage_price_cents: 3,
      overage_allowed: false,
      is_default: false,
      tenant_count: 0,
    });

    const renamed = `${body.name} v2`;
    // overage_price_cents left out: an update keeps it.
    const updated = await as("admin", "/api/v1/admin/subscriptions", {
      method: "POST",
      body: {
        id: created.body.id,
        name: renamed,
        monthly_request_limit: 800,
        storage_limit_mb: 250,
        price_cents: 1900,
        overage_allowed: true,
      },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({
      id: created.body.id,
      name: renamed,
      monthly_request_limit: 800,
      storage_limit_mb: 250,
      price_cents: 1900,
      overage_price_cents: 3,
      overage_allowed: true,
    });

    for (const who of ["admin", "support"] as const) {
      const list = await as(who, "/api/v1/admin/subscriptions");
      expect(list.status).toBe(200);
      expect(list.body.next_cursor).toBeNull();
      const names = list.body.items.map((p: { name: string }) => p.name);
      expect(names).toContain(renamed);
      expect(names).not.toContain(body.name);
      expect(names).toEqual(expect.arrayContaining(["Free", "Starter", "Pro"]));
    }
    // The default plan counts the seeded tenants.
    const list = await as("admin", "/api/v1/admin/subscriptions");
    const free = list.body.items.find((p: { name: string }) => p.name === "Free");
    expect(free.tenant_count).toBeGreaterThanOrEqual(2);

    const audited = await auditEntries({ action: "admin.plan_updated" });
    const entry = audited.find((e) => e.target_id === created.body.id);
    expect(entry).toMatchObject({
      actor: { email: staff.admin.email, role: "global_admin" },
      target_type: "plan",
      metadata: {
        changed: expect.arrayContaining(["name", "monthly_request_limit", "storage_limit_mb", "price_cents"]),
        before: { name: body.name, monthly_request_limit: 500 },
        after: { name: renamed, monthly_request_limit: 800 },
      },
    });
    expect(entry?.metadata.changed).not.toContain("overage_price_cents");
    const createdEntries = await auditEntries({ action: "admin.plan_created" });
    expect(createdEntries.some((e) => e.target_id === created.body.id)).toBe(true);
  });

  it("bad input → 422 naming each field; bad JSON → 400; unknown id → 404; a taken name → 409", async () => {
    const post = (body: unknown) => as("admin", "/api/v1/admin/subscriptions", { method: "POST", body });
    const bad = await post({
      name: "",
      monthly_request_limit: -1,
      storage_limit_mb: 1.5,
      price_cents: "12",
      overage_price_cents: 3_000_000_000,
    });
    expectError(bad, 422, "validation_failed");
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["monthly_request_limit", "name", "overage_price_cents", "price_cents", "storage_limit_mb"]);

    expectError(await post({}), 422, "validation_failed");
    expectError(await post({ ...planBody(), stripe_price_id: "not a Stripe price" }), 422, "validation_failed");
    expectError(await post({ ...planBody(), id: "not-a-uuid" }), 422, "validation_failed");
    expectError(
      await as("admin", "/api/v1/admin/subscriptions", { method: "POST", rawBody: "{nope" }),
      400,
      "invalid_json",
    );
    expectError(await post(planBody({ id: randomUUID() })), 404, "not_found");
    // Names are unique whatever their case: "pro" next to "Pro" would confuse tenants.
    expectError(await post(planBody({ name: "pro" })), 409, "conflict");
  });
});

describe("roles", () => {
  it("a support user reads every admin resource but each change is refused with 403 and changes nothing", async () => {
    for (const path of [
      "/api/v1/admin/customers",
      `/api/v1/admin/customers/${tenant.customerId}`,
      "/api/v1/admin/subscriptions",
      "/api/v1/admin/audit-logs",
      "/api/v1/admin/health",
    ]) {
      const res = await as("support", path);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const plans = await as("support", "/api/v1/admin/subscriptions");
    const pro = plans.body.items.find((p: { name: string }) => p.name === "Pro");
    const refused: ApiResponse[] = [
      await as("support", "/api/v1/admin/subscriptions", { method: "POST", body: planBody() }),
      await as("support", "/api/v1/admin/subscriptions", {
        method: "POST",
        body: { ...planBody({ name: "Pro" }), id: pro.id, price_cents: 1 },
      }),
      await as("support", `/api/v1/admin/customers/${tenant.customerId}/suspend`, { method: "POST" }),
      await as("support", `/api/v1/admin/customers/${tenant.customerId}/reactivate`, { method: "POST" }),
      await as("support", `/api/v1/admin/users/${staff.owner.id}`, { method: "PATCH", body: { role: "global_admin" } }),
    ];
    for (const res of refused) expectError(res, 403, "forbidden");

    const after = await as("support", "/api/v1/admin/subscriptions");
    expect(after.body.items.find((p: { name: string }) => p.name === "Pro").price_cents).toBe(pro.price_cents);
    const view = await as("support", `/api/v1/admin/customers/${tenant.customerId}`);
    expect(view.body.status).toBe("active");
    expect(view.body.users.find((u: { id: string }) => u.id === staff.owner.id).role).toBe("account_user");
  });

  it("an account user gets 403 from every admin endpoint and 404 from the admin pages", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/admin/customers"],
      ["GET", `/api/v1/admin/customers/${tenant.customerId}`],
      ["GET", "/api/v1/admin/subscriptions"],
      ["POST", "/api/v1/admin/subscriptions"],
      ["POST", `/api/v1/admin/customers/${tenant.customerId}/suspend`],
      ["POST", `/api/v1/admin/customers/${tenant.customerId}/reactivate`],
      ["GET", "/api/v1/admin/audit-logs"],
      ["GET", "/api/v1/admin/health"],
      ["PATCH", `/api/v1/admin/users/${staff.owner.id}`],
    ] as const) {
      const res = await as("owner", path, { method, ...(method === "GET" ? {} : { body: planBody() }) });
      expectError(res, 403, "forbidden");
    }
    for (const path of [
      "/admin",
      "/admin/plans",
      `/admin/tenants/${tenant.customerId}`,
      "/admin/audit",
      "/admin/health",
    ]) {
      expect((await page("owner", path)).status, path).toBe(404);
    }
    expectError(await api("/api/v1/admin/subscriptions", { baseUrl }), 401, "unauthenticated");
  });

  it("a global admin makes a support user and back; nobody changes their own role", async () => {
    const promote = await as("admin", `/api/v1/admin/users/${staff.owner.id}`, {
      method: "PATCH",
      body: { role: "support_user" },
    });
    expect(promote.status, JSON.stringify(promote.body)).toBe(200);
    expect(promote.body).toMatchObject({ id: staff.owner.id, role: "support_user", changed: true });
    // Roles are read from the database on every request: the same token now reads across tenants.
    expect((await as("owner", "/api/v1/admin/customers")).status).toBe(200);
    expectError(
      await as("owner", "/api/v1/admin/subscriptions", { method: "POST", body: planBody() }),
      403,
      "forbidden",
    );

    const demote = await as("admin", `/api/v1/admin/users/${staff.owner.id}`, {
      method: "PATCH",
      body: { role: "account_user" },
    });
    expect(demote.body).toMatchObject({ role: "account_user", changed: true });
    expectError(await as("owner", "/api/v1/admin/customers"), 403, "forbidden");

    expectError(
      await as("admin", `/api/v1/admin/users/${staff.admin.id}`, { method: "PATCH", body: { role: "account_user" } }),
      409,
      "conflict",
    );
    expectError(
      await as("admin", `/api/v1/admin/users/${staff.owner.id}`, { method: "PATCH", body: { role: "root" } }),
      422,
      "validation_failed",
    );
    expectError(
      await as("admin", `/api/v1/admin/users/${randomUUID()}`, { method: "PATCH", body: { role: "support_user" } }),
      404,
      "not_found",
    );
    const audited = await auditEntries({ customer_id: tenant.customerId, action: "admin.user_role_changed" });
    expect(audited.map((e) => e.metadata)).toEqual([
      { from: "support_user", to: "account_user" },
      { from: "account_user", to: "support_user" },
    ]);
  });
});

describe("suspend and reactivate", () => {
  it("suspends a tenant (its users and its webhook are refused), then reactivates it; both audited", async () => {
    const me = await as("owner", "/api/v1/customers/me");
    expect(me.status).toBe(200);
    const secret = me.body.inbound_webhook.secret as string;
    const messagesBefore = (await as("admin", `/api/v1/admin/customers/${tenant.customerId}`)).body.usage
      .message_count as number;

    const suspended = await as("admin", `/api/v1/admin/customers/${tenant.customerId}/suspend`, {
      method: "POST",
      body: { reason: "unpaid invoice" },
      headers: { "x-forwarded-for": "203.0.113.9", "user-agent": "admin-test/1.0", "x-request-id": "req-suspend-0001" },
    });
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect(suspended.body).toEqual({
      id: tenant.customerId,
      name: tenant.name,
      status: "suspended",
      changed: true,
    });
    // Again: nothing to do, nothing audited.
    const again = await as("admin", `/api/v1/admin/customers/${tenant.customerId}/suspend`, { method: "POST" });
    expect(again.body).toMatchObject({ status: "suspended", changed: false });

    const refused = await as("owner", "/api/v1/customers/me");
    expectError(refused, 403, "forbidden");
    expect(refused.body.error.message).toMatch(/suspended/);
    // The webhook never drops a message silently: either it is refused (ManyChat sees the
    // error) or it is stored.
    const hook = await api("/api/v1/webhook/manychat", {
      method: "POST",
      baseUrl,
      headers: { "x-webhook-secret": secret },
      body: { subscriber_id: "sub-suspended", text: "Are you open today?" },
    });
    const messagesAfter = (await as("admin", `/api/v1/admin/customers/${tenant.customerId}`)).body.usage
      .message_count as number;
    if (hook.status === 200) expect(messagesAfter).toBe(messagesBefore + 1);
    else {
      expectError(hook, 403, "forbidden");
      expect(messagesAfter).toBe(messagesBefore);
    }

    const view = await as("support", `/api/v1/admin/customers/${tenant.customerId}`);
    expect(view.body.status).toBe("suspended");
    const list = await as("support", `/api/v1/admin/customers?query=${encodeURIComponent(tenant.name)}`);
    expect(list.body.items.find((t: { id: string }) => t.id === tenant.customerId)?.status).toBe("suspended");

    const reactivated = await as("admin", `/api/v1/admin/customers/${tenant.customerId}/reactivate`, {
      method: "POST",
    });
    expect(reactivated.body).toMatchObject({ status: "active", changed: true });
    expect((await as("owner", "/api/v1/customers/me")).status).toBe(200);

    const [entry] = await auditEntries({ customer_id: tenant.customerId, action: "admin.tenant_suspended" });
    expect(entry).toMatchObject({
      action: "admin.tenant_suspended",
      actor: { user_id: staff.admin.id, email: staff.admin.email, role: "global_admin" },
      customer: { id: tenant.customerId, name: tenant.name },
      target_type: "customer",
      target_id: tenant.customerId,
      ip: "203.0.113.9",
      user_agent: "admin-test/1.0",
      request_id: "req-suspend-0001",
      metadata: { from: "active", to: "suspended", reason: "unpaid invoice" },
    });
    expect(await auditEntries({ customer_id: tenant.customerId, action: "admin.tenant_suspended" })).toHaveLength(1);
    const [back] = await auditEntries({ customer_id: tenant.customerId, action: "admin.tenant_reactivated" });
    expect(back?.metadata).toEqual({ from: "suspended", to: "active", reason: null });
  });

  it("an unknown or malformed tenant id → 404; a bad body → 422", async () => {
    expectError(
      await as("admin", `/api/v1/admin/customers/${randomUUID()}/suspend`, { method: "POST" }),
      404,
      "not_found",
    );
    expectError(await as("admin", "/api/v1/admin/customers/nope/reactivate", { method: "POST" }), 404, "not_found");
    expectError(await as("support", `/api/v1/admin/customers/${randomUUID()}`), 404, "not_found");
    expectError(
      await as("admin", `/api/v1/admin/customers/${other.customerId}/suspend`, {
        method: "POST",
        body: { reason: "x".repeat(501) },
      }),
      422,
      "validation_failed",
    );
    const view = await as("admin", `/api/v1/admin/customers/${other.customerId}`);
    expect(view.body.status).toBe("active");
  });
});

describe("support view (GET /admin/customers/{id} and /admin/tenants/{id})", () => {
  it("shows profile, plan, usage, documents and recent messages, never a secret", async () => {
    const res = await as("support", `/api/v1/admin/customers/${tenant.customerId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: tenant.customerId,
      name: tenant.name,
      status: "active",
      plan: { name: "Free", monthly_request_limit: expect.any(Number), storage_limit_mb: expect.any(Number) },
      usage: { document_count: 1, storage_used_mb: expect.any(Number), message_count: expect.any(Number) },
      manychat: { configured: false, key_last4: null },
      users: [{ id: tenant.userId, email: tenant.email, role: "account_user" }],
      documents: [{ id: tenant.ids.documents, filename: "Admin Test Bakery-catalogue.pdf", status: "processed" }],
    });
    expect(res.body.recent_messages.map((m: { content: string }) => m.content)).toContain("Hello Admin Test Bakery");
    expect(JSON.stringify(res.body)).not.toMatch(/whsec_|webhook_secret|hashed_password|scrypt/);
  });

  it("every view, through the API or the page, writes an audit entry naming who, where from and which request", async () => {
    const headers = {
      "x-forwarded-for": "198.51.100.23",
      "user-agent": "support-browser/2.0",
      "x-request-id": `req-view-${randomUUID().slice(0, 8)}`,
    };
    const viewed = await as("support", `/api/v1/admin/customers/${tenant.customerId}`, { headers });
    expect(viewed.headers.get("x-request-id")).toBe(headers["x-request-id"]);
    const [entry] = await auditEntries({ customer_id: tenant.customerId, action: "support.view_tenant" });
    expect(entry).toMatchObject({
      action: "support.view_tenant",
      actor: { user_id: staff.support.id, email: staff.support.email, role: "support_user" },
      customer: { id: tenant.customerId },
      target_type: "customer",
      target_id: tenant.customerId,
      ip: "198.51.100.23",
      user_agent: "support-browser/2.0",
      request_id: headers["x-request-id"],
    });

    const before = (await auditEntries({ customer_id: tenant.customerId, action: "support.view_tenant" })).length;
    const html = await page("support", `/admin/tenants/${tenant.customerId}`);
    expect(html.status).toBe(200);
    expect(html.html).toContain(tenant.name);
    expect(html.html).toContain("Admin Test Bakery-catalogue.pdf");
    const after = await auditEntries({ customer_id: tenant.customerId, action: "support.view_tenant" });
    expect(after.length).toBe(before + 1);
    expect(after[0]?.actor.email).toBe(staff.support.email);
  });

  it("the pages show mutation controls to a global admin only", async () => {
    // What the page renders, without the serialized React payload that follows it (which
    // carries the UI's message catalogue, every label included).
    const rendered = (html: string) => html.split("self.__next_f")[0] ?? html;
    const asSupport = await page("support", `/admin/tenants/${tenant.customerId}`);
    expect(rendered(asSupport.html)).not.toContain("Suspend tenant");
    expect(rendered(asSupport.html)).toContain("Support accounts can read this workspace but not change it");
    const asAdmin = await page("admin", `/admin/tenants/${tenant.customerId}`);
    expect(rendered(asAdmin.html)).toContain("Suspend tenant");

    const plansSupport = await page("support", "/admin/plans");
    expect(plansSupport.status).toBe(200);
    expect(rendered(plansSupport.html)).toContain("Starter");
    expect(rendered(plansSupport.html)).not.toContain("Create plan");
    expect(rendered(plansSupport.html)).not.toMatch(/Edit plan /);
    const plansAdmin = await page("admin", "/admin/plans");
    expect(rendered(plansAdmin.html)).toContain("Create plan");

    expect((await page("support", `/admin/tenants/${randomUUID()}`)).status).toBe(404);
    expect((await page("support", "/admin/tenants/not-a-uuid")).status).toBe(404);
  });
});

describe("audit log (GET /admin/audit-logs)", () => {
  it("lists newest first, filters by tenant and action, pages with a cursor", async () => {
    for (let i = 0; i < 3; i++) await as("support", `/api/v1/admin/customers/${other.customerId}`);
    const query = { customer_id: other.customerId, limit: "2" };
    const first = await as("admin", `/api/v1/admin/audit-logs?${new URLSearchParams(query)}`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const seen: { id: string; created_at: string; customer: { id: string } | null }[] = [...first.body.items];
    let cursor: string | null = first.body.next_cursor;
    while (cursor) {
      const next = await as("admin", `/api/v1/admin/audit-logs?${new URLSearchParams({ ...query, cursor })}`);
      expect(next.status).toBe(200);
      seen.push(...next.body.items);
      cursor = next.body.next_cursor;
    }
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.every((e) => e.customer?.id === other.customerId)).toBe(true);
    const times = seen.map((e) => e.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    // The seeded entry, the three views and the staff reads of this tenant's log.
    expect(
      seen.filter((e) => (e as { action?: string }).action === "support.view_tenant").length,
    ).toBeGreaterThanOrEqual(3);
    expect(seen.some((e) => (e as { action?: string }).action === "test.seeded")).toBe(true);

    const family = await auditEntries({ action: "support." });
    expect(family.length).toBeGreaterThan(0);
    expect(family.every((e) => e.action.startsWith("support."))).toBe(true);
    const exact = await auditEntries({ action: "admin.tenants_listed" });
    expect(exact.every((e) => e.action === "admin.tenants_listed")).toBe(true);

    expectError(await as("admin", "/api/v1/admin/audit-logs?customer_id=nope"), 422, "validation_failed");
    expectError(await as("admin", "/api/v1/admin/audit-logs?action=drop%20table"), 422, "validation_failed");
    expectError(await as("admin", "/api/v1/admin/audit-logs?cursor=garbage"), 422, "validation_failed");
  });

  it("reading the log is itself recorded", async () => {
    await as("support", `/api/v1/admin/audit-logs?customer_id=${other.customerId}`);
    const [entry] = await auditEntries({ action: "admin.audit_listed", customer_id: other.customerId });
    expect(entry).toMatchObject({
      actor: { email: staff.support.email, role: "support_user" },
      metadata: { filter: { customer_id: other.customerId, action: null } },
    });
  });
});

describe("system health (GET /admin/health)", () => {
  it("reports queue depth by state and type, the oldest due job's age, and the latest failures", async () => {
    const res = await as("support", "/api/v1/admin/health");
    expect(res.status).toBe(200);
    expect(res.body.queue).toMatchObject({
      totals: {
        queued: expect.any(Number),
        due: expect.any(Number),
        retrying: expect.any(Number),
        running: expect.any(Number),
      },
      expired_leases: expect.any(Number),
      failed_last_24h: expect.any(Number),
    });
    expect(res.body.queue.failed_last_24h).toBeGreaterThanOrEqual(1);
    const age = res.body.queue.oldest_due_age_seconds;
    expect(age === null || (typeof age === "number" && age >= 0)).toBe(true);
    for (const k of res.body.queue.by_kind) {
      expect(k).toEqual({
        kind: expect.any(String),
        queued: expect.any(Number),
        due: expect.any(Number),
        retrying: expect.any(Number),
        running: expect.any(Number),
      });
    }
    expect(res.body.failed_jobs.length).toBeLessThanOrEqual(20);
    expect(res.body.failed_jobs).toContainEqual(
      expect.objectContaining({
        kind: "ingest_document",
        customer: { id: other.customerId, name: other.name },
        attempts: 5,
        last_error: failedJobError,
      }),
    );
    expect(res.body.failed_messages).toContainEqual(
      expect.objectContaining({
        customer: { id: other.customerId, name: other.name },
        subscriber_id: "sub-failed",
        error: "ManyChat refused the message",
      }),
    );
    const [entry] = await auditEntries({ action: "admin.health_viewed" });
    expect(entry?.actor.email).toBe(staff.support.email);
  });
});
