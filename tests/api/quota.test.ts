import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { users } from "@/lib/db/schema";
import { api, expectError, visitorIp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { SEED_PASSWORD } from "../support/seed";
import {
  postWebhook,
  sentTo,
  setFake,
  type Tenant,
  tenantWithDocument,
  textOf,
  waitForSends,
} from "../support/webhook";

// Metering and request limits (issue 6, docs/billing.md): every answer counts once, even
// when a delivery or a job is retried; a plan without overage answers its WhatsApp
// customers with the tenant's limit text once its requests are used up (the message is
// still stored and shown), a plan with overage keeps answering and accrues overage; and
// concurrent messages at the edge never take a plan past its limit.

let baseUrl: string;
let server: AppServer | null = null;
let adminToken = "";
const adminEmail = `quota-admin-${randomUUID().slice(0, 8)}@example.test`;
const LIMIT_TEXT = "We have reached our monthly limit of automatic answers. Our team will reply to you soon.";
const DOC: string[][] = [
  ["Our opening hours are 9am to 6pm, Monday to Saturday. Delivery costs 4 euros for every order."],
];
const QUESTION = "What are your opening hours?";

beforeAll(async () => {
  const db = await openDirectDatabase();
  const hashed = await hashPassword(SEED_PASSWORD);
  await db.asService("test fixture", (tx) =>
    tx.insert(users).values({ email: adminEmail, hashedPassword: hashed, role: "global_admin" as const }),
  );
  await db.closeDatabase();
  if (db.kind === "pglite") {
    // PGlite allows one process per data directory: hand ours over to a server of its own.
    server = await startAppServer(
      {
        MANYCHAT_API_URL: inject("manychatUrl"),
        GEMINI_API_KEY: "test-gemini-key",
        GEMINI_BASE_URL: inject("geminiUrl"),
        GEMINI_MAX_ATTEMPTS: "2",
        GEMINI_RETRY_BASE_MS: "50",
        JOB_RETRY_BASE_MS: "200",
        SWEEPER_INTERVAL_MS: "300",
      },
      { dataDir: db.dataDir },
    );
    baseUrl = server.url;
  } else {
    baseUrl = inject("baseUrl");
  }
  const login = await api("/api/v1/auth/login", {
    method: "POST",
    body: { email: adminEmail, password: SEED_PASSWORD },
    headers: { "x-forwarded-for": visitorIp() },
    baseUrl,
  });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  adminToken = login.body.access_token;
}, 120_000);

afterEach(async () => {
  await setFake(inject("manychatUrl"), { fail: null, latencyMs: 0 });
  await setFake(inject("geminiUrl"), { fail: null, latencyMs: 0, generate: null });
});

afterAll(async () => {
  await server?.stop();
});

/** A plan made in the admin console, and a new tenant (with a PDF) put on it. */
async function tenantOnPlan(plan: {
  monthly_request_limit: number;
  overage_allowed: boolean;
  overage_price_cents?: number;
}) {
  const made = await api("/api/v1/admin/subscriptions", {
    method: "POST",
    token: adminToken,
    baseUrl,
    body: { name: `Plan ${randomUUID().slice(0, 8)}`, storage_limit_mb: 50, price_cents: 900, ...plan },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const tenant = await tenantWithDocument(DOC, "hours.pdf", {
    baseUrl,
    settings: { burst_window_seconds: 0, limit_text: LIMIT_TEXT },
  });
  const moved = await api(`/api/v1/admin/customers/${tenant.customer.id}`, {
    method: "PATCH",
    token: adminToken,
    baseUrl,
    body: { subscription_id: made.body.id, reason: "test" },
  });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  expect(moved.body).toMatchObject({ plan: { id: made.body.id }, changed: true });
  return tenant;
}

const usage = async (t: Tenant) => {
  const res = await api("/api/v1/billing/usage", { token: t.token, baseUrl });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** The tenant's inbound messages, once none is pending any more. */
async function settledInbound(t: Tenant, expected: number, timeout = 60_000) {
  let inbound: { status: string; subscriber_id: string; content: string }[] = [];
  await expect
    .poll(
      async () => {
        const res = await api("/api/v1/messages?limit=200", { token: t.token, baseUrl });
        inbound = res.body.items.filter((m: { direction: string }) => m.direction === "inbound");
        return inbound.length === expected && inbound.every((m) => m.status !== "pending");
      },
      { timeout, interval: 250 },
    )
    .toBe(true);
  return inbound;
}

describe(`request limits on ${process.env.TEST_DB}`, () => {
  it("a plan without overage answers up to its limit, then sends the limit text and stores the message", async () => {
    const shop = await tenantOnPlan({ monthly_request_limit: 2, overage_allowed: false });
    const subscribers = [1, 2, 3].map((i) => `quota-${i}-${randomUUID().slice(0, 8)}`);
    for (const subscriber of subscribers) {
      const ack = await postWebhook(shop.secret, { subscriber_id: subscriber, text: QUESTION }, {}, baseUrl);
      expect(ack.status).toBe(200);
      // One after the other: the first two are within the plan.
      await waitForSends(subscriber, 1);
    }
    const replies = await Promise.all(subscribers.map(async (s) => (await sentTo(s)).map(textOf)));
    expect(replies[0]?.join()).toContain("9am to 6pm");
    expect(replies[1]?.join()).toContain("9am to 6pm");
    expect(replies[2]).toEqual([LIMIT_TEXT]);

    const limited = await api(`/api/v1/messages?subscriber_id=${subscribers[2]}`, { token: shop.token, baseUrl });
    expect(limited.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: "inbound", content: QUESTION, status: "limited" }),
        expect.objectContaining({ direction: "outbound", content: LIMIT_TEXT, status: "sent" }),
      ]),
    );
    expect(await usage(shop)).toMatchObject({
      requests_used: 2,
      request_limit: 2,
      overage_requests: 0,
      estimated_overage_cents: 0,
      limit_reached: true,
    });

    // The API refuses in the envelope, and the question is stored all the same.
    const query = await api("/api/v1/query", {
      method: "POST",
      token: shop.token,
      baseUrl,
      body: { question: "Do you deliver?", subscriber_id: "api-quota" },
    });
    expectError(query, 402, "limit_exceeded");
    expect(query.body.error.details).toEqual({ requests_used: 2, request_limit: 2 });
    const stored = await api("/api/v1/messages?subscriber_id=api-quota", { token: shop.token, baseUrl });
    expect(stored.body.items).toEqual([
      expect.objectContaining({ direction: "inbound", content: "Do you deliver?", status: "limited" }),
    ]);
    expect((await usage(shop)).requests_used).toBe(2);
  });

  it("a plan with overage keeps answering and accrues overage at the plan's price", async () => {
    const shop = await tenantOnPlan({ monthly_request_limit: 1, overage_allowed: true, overage_price_cents: 7 });
    for (const question of [QUESTION, "How much does delivery cost?", "What are your opening hours on Monday?"]) {
      const res = await api("/api/v1/query", { method: "POST", token: shop.token, baseUrl, body: { question } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.answered).toBe(true);
    }
    expect(await usage(shop)).toMatchObject({
      requests_used: 3,
      request_limit: 1,
      overage_requests: 2,
      estimated_overage_cents: 14,
      limit_reached: false,
    });
  });

  it("a delivery retried by ManyChat and a job retried after a failure count once", async () => {
    const shop = await tenantOnPlan({ monthly_request_limit: 10, overage_allowed: false });
    const subscriber = `quota-retry-${randomUUID().slice(0, 8)}`;
    // The first attempt to send the answer fails; the job is retried and succeeds.
    await setFake(inject("manychatUrl"), { fail: { error: 503, times: 1 } });
    const key = randomUUID();
    const body = { subscriber_id: subscriber, text: QUESTION };
    const first = await postWebhook(shop.secret, body, { "idempotency-key": key }, baseUrl);
    const again = await postWebhook(shop.secret, body, { "idempotency-key": key }, baseUrl);
    expect(again.body.message_id).toBe(first.body.message_id);
    const sends = await waitForSends(subscriber, 1, { timeoutMs: 30_000 });
    expect(textOf(sends[0] as never)).toContain("9am to 6pm");
    await settledInbound(shop, 1);
    expect((await usage(shop)).requests_used).toBe(1);
  });

  it("an answer that fails gives its request back", async () => {
    const shop = await tenantOnPlan({ monthly_request_limit: 10, overage_allowed: false });
    await setFake(inject("geminiUrl"), { fail: { error: 400 } });
    const res = await api("/api/v1/query", {
      method: "POST",
      token: shop.token,
      baseUrl,
      body: { question: QUESTION, subscriber_id: "api-failing" },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const stored = await api("/api/v1/messages?subscriber_id=api-failing", { token: shop.token, baseUrl });
    expect(stored.body.items).toEqual([expect.objectContaining({ direction: "inbound", status: "failed" })]);
    expect((await usage(shop)).requests_used).toBe(0);

    // ManyChat refusing the answer for good (3011: the 24-hour window is closed): not counted either.
    await setFake(inject("geminiUrl"), { fail: null });
    await setFake(inject("manychatUrl"), { fail: { error: 3011 } });
    const subscriber = `quota-3011-${randomUUID().slice(0, 8)}`;
    expect((await postWebhook(shop.secret, { subscriber_id: subscriber, text: QUESTION }, {}, baseUrl)).status).toBe(
      200,
    );
    await expect
      .poll(
        async () =>
          (await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: shop.token, baseUrl })).body.items.find(
            (m: { direction: string }) => m.direction === "inbound",
          )?.status,
        { timeout: 20_000 },
      )
      .toBe("failed");
    expect((await usage(shop)).requests_used).toBe(0);
  });

  it("100 concurrent messages at the edge of the limit: never past it, every one stored and answered", async () => {
    const LIMIT = 30;
    const shop = await tenantOnPlan({ monthly_request_limit: LIMIT, overage_allowed: false });
    const subscribers = Array.from({ length: 100 }, (_, i) => `edge-${i}-${randomUUID().slice(0, 6)}`);
    const acks = await Promise.all(
      subscribers.map((s) => postWebhook(shop.secret, { subscriber_id: s, text: QUESTION }, {}, baseUrl)),
    );
    expect(acks.map((a) => a.status)).toEqual(subscribers.map(() => 200));

    const inbound = await settledInbound(shop, 100, 120_000);
    const byStatus = (status: string) => inbound.filter((m) => m.status === status).length;
    expect(byStatus("answered")).toBe(LIMIT);
    expect(byStatus("limited")).toBe(100 - LIMIT);
    expect((await usage(shop)).requests_used).toBe(LIMIT);
    // Every customer got exactly one reply: an answer or the limit text.
    const replies = await Promise.all(subscribers.map(async (s) => (await sentTo(s)).map(textOf)));
    expect(replies.every((r) => r.length === 1)).toBe(true);
    expect(replies.filter((r) => r[0] === LIMIT_TEXT)).toHaveLength(100 - LIMIT);
    expect(replies.filter((r) => r[0]?.includes("9am to 6pm"))).toHaveLength(LIMIT);
  }, 180_000);
});
