import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { customers, messages, subscriptions, usageEvents } from "@/lib/db/schema";
import { type StripeFake, startStripeFake } from "../fakes/stripe";
import { type ApiResponse, api, expectError, signUp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { createDatabase } from "../support/postgres-admin";
import { seedTenant } from "../support/seed";

// Stripe (issue 6, docs/billing.md): checkout and the Customer Portal send the right
// prices and customer to Stripe; the webhook believes only signed events, applies each
// once, and ends in the plan Stripe bills whatever order events arrive in; invoices
// land on the billing page; a failed payment ends on the Free plan after the grace
// period; overage requests become meter events exactly once. All against a local fake
// speaking Stripe's wire format (tests/fakes/stripe.ts), through the real SDK.

const WEBHOOK_SECRET = "whsec_test_stripe_suite";
const CRON = "stripe-suite-cron";
const GRACE_SECONDS = 3;
const ADMIN_EMAIL = `stripe-admin-${randomUUID().slice(0, 8)}@example.test`;
const tag = randomUUID().slice(0, 8);
const price = {
  pro: `price_pro_${tag}`,
  proMeter: `price_pro_meter_${tag}`,
  business: `price_business_${tag}`,
};

let fake: StripeFake;
// On PostgreSQL the suite has a database of its own: the run's shared server (without
// Stripe, with other grace periods) would otherwise take this suite's jobs.
let ownDb: { url: string; drop: () => Promise<void> } | null = null;
const openDb = () => openDirectDatabase(ownDb ? { databaseUrl: ownDb.url } : {});
let server: AppServer | null = null;
let baseUrl = "";
const plans = { free: "", pro: "", business: "", unpriced: "" };
const meter = { customer: `cus_meter_${tag}`, settled: [] as string[], pending: "", included: "", elsewhere: "" };

beforeAll(async () => {
  fake = await startStripeFake();
  fake.addPrice(price.pro);
  fake.addPrice(price.proMeter, "metered");
  fake.addPrice(price.business);
  if (process.env.TEST_DB === "postgres") ownDb = await createDatabase();
  const db = await openDb();
  await db.asService("test fixture: plans sold through Stripe", async (tx) => {
    const [free] = await tx.select().from(subscriptions).where(eq(subscriptions.isDefault, true));
    plans.free = free!.id;
    const inserted = await tx
      .insert(subscriptions)
      .values([
        {
          name: `Stripe Pro ${tag}`,
          monthlyRequestLimit: 1000,
          storageLimitMb: 500,
          priceCents: 2900,
          overagePriceCents: 2,
          overageAllowed: true,
          stripePriceId: price.pro,
          stripeOveragePriceId: price.proMeter,
        },
        {
          name: `Stripe Business ${tag}`,
          monthlyRequestLimit: 5000,
          storageLimitMb: 2000,
          priceCents: 9900,
          stripePriceId: price.business,
        },
        { name: `Stripe Unpriced ${tag}`, monthlyRequestLimit: 100, storageLimitMb: 100, priceCents: 990 },
      ])
      .returning({ id: subscriptions.id });
    [plans.pro, plans.business, plans.unpriced] = inserted.map((p) => p.id) as [string, string, string];
  });
  // Overage usage of a tenant billed through Stripe, written as the metering would.
  const metered = await seedTenant(`Stripe Meter ${tag}`);
  const unlinked = await seedTenant(`Stripe Unlinked ${tag}`);
  await db.asService("test fixture: overage usage events", async (tx) => {
    await tx.update(customers).set({ stripeCustomerId: meter.customer }).where(eq(customers.id, metered.customerId));
    const period = sql`private.billing_period_start()`;
    const event = (customerId: string, overage: boolean) =>
      tx
        .insert(usageEvents)
        .values({ customerId, periodStart: period as unknown as string, channel: "whatsapp", overage })
        .returning({ id: usageEvents.id })
        .then((r) => r[0]!.id);
    meter.settled = [await event(metered.customerId, true), await event(metered.customerId, true)];
    meter.pending = await event(metered.customerId, true);
    meter.included = await event(metered.customerId, false);
    meter.elsewhere = await event(unlinked.customerId, true);
    const inbound = (usageEventId: string, status: "answered" | "pending") =>
      tx.insert(messages).values({
        customerId: metered.customerId,
        subscriberId: "meter-sub",
        direction: "inbound",
        content: "How much?",
        status,
        usageEventId,
      });
    await inbound(meter.settled[0]!, "answered");
    await inbound(meter.settled[1]!, "answered");
    // Its answer is still being produced: it may yet fail and give the request back.
    await inbound(meter.pending, "pending");
  });
  await db.closeDatabase();
  const databaseUrl = ownDb?.url ?? null;
  server = await startAppServer(
    {
      MANYCHAT_API_URL: inject("manychatUrl"),
      CRON_SECRET: CRON,
      STRIPE_SECRET_KEY: "sk_test_stripe_suite",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_METER_EVENT_NAME: "pa_overage_test",
      PAYMENT_GRACE_SECONDS: String(GRACE_SECONDS),
      DELETION_GRACE_SECONDS: String(GRACE_SECONDS),
      ADMIN_EMAILS: ADMIN_EMAIL,
      ENCRYPTION_KEY: inject("encryptionKey"),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    db.kind === "pglite" ? { dataDir: db.dataDir } : {},
  );
  baseUrl = server.url;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await ownDb?.drop();
});

// ------------------------------------------------------------------ helpers

async function tenant() {
  const t = await signUp({ company_name: `Stripe ${randomUUID().slice(0, 6)}` }, baseUrl);
  return { token: t.token, id: t.customer.id as string, email: t.email };
}
type Tenant = Awaited<ReturnType<typeof tenant>>;

const post = (path: string, token: string, body: unknown = {}) => api(path, { method: "POST", token, body, baseUrl });
const planOf = async (t: Tenant) => (await api("/api/v1/customers/me", { token: t.token, baseUrl })).body.plan.id;
const auditActions = async (t: Tenant) =>
  (
    (await api("/api/v1/customers/me/audit-logs?limit=100", { token: t.token, baseUrl })).body.items as {
      action: string;
    }[]
  ).map((e) => e.action);

const metaTenant = (metadata: unknown) => (metadata as { customer_id?: string } | undefined)?.customer_id;

let seq = 0;
function stripeEvent(type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  seq += 1;
  return {
    id: `evt_${tag}_${seq}_${randomUUID().slice(0, 6)}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

async function deliver(
  event: object,
  opts: { tamper?: (payload: string) => string; secret?: string; signature?: string | null } = {},
): Promise<ApiResponse> {
  const payload = JSON.stringify(event);
  const signature =
    opts.signature !== undefined
      ? opts.signature
      : Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET });
  return api("/api/v1/billing/stripe-webhook", {
    method: "POST",
    rawBody: opts.tamper ? opts.tamper(payload) : payload,
    headers: signature === null ? {} : { "stripe-signature": signature },
    baseUrl,
  });
}

const subscriptionObject = (sub: { id: string; customer: string; status: string; items: unknown }) => ({
  id: sub.id,
  object: "subscription",
  customer: sub.customer,
  status: sub.status,
  items: sub.items,
  metadata: {},
});

/** A tenant that went through checkout and whose subscription Stripe confirmed. */
async function subscribed(prices: string[] = [price.pro, price.proMeter]) {
  const t = await tenant();
  const checkout = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.pro });
  expect(checkout.status, JSON.stringify(checkout.body)).toBe(200);
  const created = fake.requestsTo("POST", "/v1/customers").find((r) => metaTenant(r.body.metadata) === t.id);
  const customer = [...fake.customers.values()].find((c) => metaTenant(c.metadata) === t.id)!.id as string;
  expect(created).toBeTruthy();
  const sub = fake.setSubscription({ customer, status: "active", prices, metadata: { customer_id: t.id } });
  const done = await deliver(
    stripeEvent("checkout.session.completed", {
      id: `cs_test_${randomUUID().slice(0, 8)}`,
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      customer,
      subscription: sub.id,
      client_reference_id: t.id,
      metadata: { customer_id: t.id },
    }),
  );
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(await planOf(t)).toBe(plans.pro);
  return { ...t, customer, subscription: sub.id };
}

/** Calls a checkout could make (maintenance's meter events run beside the tests). */
const checkoutCalls = () => fake.requests.filter((r) => r.path !== "/v1/billing/meter_events").length;

const cron = () => api("/api/v1/cron/sweep", { headers: { authorization: `Bearer ${CRON}` }, baseUrl });

// ------------------------------------------------------------------ plan editor

describe("plan editor", () => {
  it("an admin links a plan to its Stripe prices, and unlinks them; a value that is not a price id → 422", async () => {
    const admin = await signUp({ email: ADMIN_EMAIL }, baseUrl);
    const save = (body: Record<string, unknown>) =>
      api("/api/v1/admin/subscriptions", { method: "POST", token: admin.token, body, baseUrl });
    const base = { name: `Stripe Editor ${tag}`, monthly_request_limit: 10, storage_limit_mb: 10, price_cents: 500 };
    const created = await save({
      ...base,
      stripe_price_id: "price_editor_1",
      stripe_overage_price_id: "price_editor_m",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      stripe_price_id: "price_editor_1",
      stripe_overage_price_id: "price_editor_m",
    });
    // Omitted: kept. null: unlinked.
    const kept = await save({ ...base, id: created.body.id, price_cents: 600 });
    expect(kept.body).toMatchObject({ stripe_price_id: "price_editor_1", stripe_overage_price_id: "price_editor_m" });
    const cleared = await save({ ...base, id: created.body.id, stripe_overage_price_id: null });
    expect(cleared.body).toMatchObject({ stripe_price_id: "price_editor_1", stripe_overage_price_id: null });
    const bad = await save({ ...base, id: created.body.id, stripe_price_id: "prod_123" });
    expectError(bad, 422, "validation_failed");
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["stripe_price_id"]);
    // A tenant staff put on a paid plan, without a Stripe subscription, moves to Free at once.
    const t = await tenant();
    const moved = await api(`/api/v1/admin/customers/${t.id}`, {
      method: "PATCH",
      token: admin.token,
      body: { subscription_id: plans.business },
      baseUrl,
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const before = checkoutCalls();
    const toFree = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.free });
    expect(toFree.status, JSON.stringify(toFree.body)).toBe(200);
    expect(toFree.body.url).toMatch(/\/dashboard\/billing\?plan=changed$/);
    expect(await planOf(t)).toBe(plans.free);
    expect(checkoutCalls()).toBe(before);
    expect(await auditActions(t)).toContain("billing.plan_changed");

    const listed = await api("/api/v1/admin/subscriptions", { token: admin.token, baseUrl });
    expect(listed.body.items.find((p: { id: string }) => p.id === created.body.id)).toMatchObject({
      stripe_price_id: "price_editor_1",
      stripe_overage_price_id: null,
    });
  });
});

// ------------------------------------------------------------------ checkout and portal

describe("checkout", () => {
  it("a first paid plan → a Stripe Checkout URL, with the plan's prices, one Stripe customer and the tenant id", async () => {
    const t = await tenant();
    const res = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.pro });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`^${fake.url}/checkout/cs_test_`));

    const createdCustomer = fake
      .requestsTo("POST", "/v1/customers")
      .filter((r) => metaTenant(r.body.metadata) === t.id);
    expect(createdCustomer).toHaveLength(1);
    expect(createdCustomer[0]!.body.email).toBe(t.email);
    const customerId = [...fake.customers.values()].find((c) => metaTenant(c.metadata) === t.id)!.id;

    const session = fake.requestsTo("POST", "/v1/checkout/sessions").find((r) => r.body.client_reference_id === t.id);
    expect(session?.body).toMatchObject({
      mode: "subscription",
      customer: customerId,
      client_reference_id: t.id,
      metadata: { customer_id: t.id, plan_id: plans.pro },
      subscription_data: { metadata: { customer_id: t.id } },
      line_items: [{ price: price.pro, quantity: "1" }, { price: price.proMeter }],
    });
    // The metered overage price takes no quantity.
    expect((session!.body.line_items as unknown[])[1]).not.toHaveProperty("quantity");
    expect(String(session!.body.success_url)).toMatch(/\/dashboard\/billing\?checkout=success$/);
    expect(String(session!.body.cancel_url)).toMatch(/\/dashboard\/billing/);

    // Nothing changes until Stripe confirms; a second checkout reuses the Stripe customer.
    expect(await planOf(t)).toBe(plans.free);
    const again = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.business });
    expect(again.status).toBe(200);
    const second = fake.requestsTo("POST", "/v1/checkout/sessions").filter((r) => r.body.client_reference_id === t.id);
    expect(second).toHaveLength(2);
    expect(second[1]!.body).toMatchObject({ customer: customerId, line_items: [{ price: price.business }] });
    expect((second[1]!.body.line_items as unknown[]).length).toBe(1);
    expect(fake.requestsTo("POST", "/v1/customers").filter((r) => metaTenant(r.body.metadata) === t.id)).toHaveLength(
      1,
    );
  });

  it("refuses with a clear 4xx: unknown plan 404, plan without a Stripe price 409, current plan 409, bad input 422", async () => {
    const t = await tenant();
    const before = checkoutCalls();
    expectError(await post("/api/v1/billing/checkout", t.token, { plan_id: randomUUID() }), 404, "not_found");
    const unpriced = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.unpriced });
    expectError(unpriced, 409, "conflict");
    expect(unpriced.body.error.message).toMatch(/Stripe price/);
    const current = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.free });
    expectError(current, 409, "conflict");
    expect(current.body.error.message).toMatch(/already/);
    expectError(await post("/api/v1/billing/checkout", t.token, { plan_id: "pro" }), 422, "validation_failed");
    expectError(await post("/api/v1/billing/checkout", t.token, {}), 422, "validation_failed");
    expect(checkoutCalls()).toBe(before);
  });

  it("a second checkout while the first one's subscription is on its way → 409, no second subscription", async () => {
    const t = await tenant();
    const first = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.pro });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const customer = [...fake.customers.values()].find((c) => metaTenant(c.metadata) === t.id)!.id as string;
    // The customer paid in that tab; Stripe's webhook has not reached the app yet.
    fake.setSubscription({ customer, status: "active", prices: [price.pro], metadata: { customer_id: t.id } });
    const sessionsBefore = fake.requestsTo("POST", "/v1/checkout/sessions").length;
    const again = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.business });
    expectError(again, 409, "conflict");
    expect(again.body.error.message).toMatch(/already has a Stripe subscription/);
    expect(fake.requestsTo("POST", "/v1/checkout/sessions")).toHaveLength(sessionsBefore);
  });

  it("with a subscription, changing plan opens the Customer Portal's confirm flow; a free plan its cancel flow", async () => {
    const t = await subscribed();
    const sub = fake.subscriptions.get(t.subscription)!;
    const change = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.business });
    expect(change.status, JSON.stringify(change.body)).toBe(200);
    expect(change.body.url).toMatch(new RegExp(`^${fake.url}/portal/`));
    const portal = fake.portalSessions.filter((s) => s.customer === t.customer);
    expect(portal.at(-1)).toMatchObject({
      flow: {
        type: "subscription_update_confirm",
        subscription_update_confirm: {
          subscription: t.subscription,
          items: [{ id: sub.items.data[0]!.id, price: price.business, quantity: "1" }],
        },
      },
    });
    const cancel = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.free });
    expect(cancel.status).toBe(200);
    expect(fake.portalSessions.filter((s) => s.customer === t.customer).at(-1)).toMatchObject({
      flow: { type: "subscription_cancel", subscription_cancel: { subscription: t.subscription } },
    });
    // The plan changes only when Stripe says so.
    expect(await planOf(t)).toBe(plans.pro);
    expectError(await post("/api/v1/billing/checkout", t.token, { plan_id: plans.pro }), 409, "conflict");
  });
});

describe("portal", () => {
  it("→ the Customer Portal of the tenant's Stripe customer, returning to the billing page", async () => {
    const t = await subscribed();
    const res = await post("/api/v1/billing/portal", t.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`^${fake.url}/portal/`));
    const session = fake.portalSessions.filter((s) => s.customer === t.customer).at(-1);
    expect(session?.return_url).toMatch(/\/dashboard\/billing$/);
    expect(session?.flow).toBeNull();
  });

  it("→ 409 before the tenant has a Stripe customer", async () => {
    const t = await tenant();
    const res = await post("/api/v1/billing/portal", t.token);
    expectError(res, 409, "conflict");
  });
});

describe("without STRIPE_SECRET_KEY", () => {
  it("checkout and portal answer 409 saying payments are not configured", async () => {
    const other = inject("baseUrl"); // the project's server has no Stripe configuration
    const t = await signUp({ company_name: `No Stripe ${tag}` }, other);
    const checkout = await api("/api/v1/billing/checkout", {
      method: "POST",
      token: t.token,
      body: { plan_id: plans.pro },
      baseUrl: other,
    });
    expectError(checkout, 409, "conflict");
    expect(checkout.body.error.message).toMatch(/not configured/);
    const portal = await api("/api/v1/billing/portal", { method: "POST", token: t.token, body: {}, baseUrl: other });
    expectError(portal, 409, "conflict");
    expect(portal.body.error.message).toMatch(/not configured/);
  });
});

// ------------------------------------------------------------------ webhook

describe("webhook", () => {
  it("a missing, wrong or tampered signature → 400 invalid_signature, and the plan is unchanged", async () => {
    const t = await tenant();
    await post("/api/v1/billing/checkout", t.token, { plan_id: plans.pro });
    const customer = [...fake.customers.values()].find((c) => metaTenant(c.metadata) === t.id)!.id as string;
    const sub = fake.setSubscription({ customer, status: "active", prices: [price.pro] });
    const event = stripeEvent("checkout.session.completed", {
      id: `cs_test_${tag}_tamper`,
      object: "checkout.session",
      mode: "subscription",
      customer,
      subscription: sub.id,
      client_reference_id: t.id,
      metadata: {},
    });
    expectError(await deliver(event, { signature: null }), 400, "invalid_signature");
    expectError(await deliver(event, { secret: "whsec_someone_else" }), 400, "invalid_signature");
    expectError(await deliver(event, { signature: "t=1,v1=deadbeef" }), 400, "invalid_signature");
    const tampered = await deliver(event, { tamper: (p) => p.replace(t.id, randomUUID()) });
    expectError(tampered, 400, "invalid_signature");
    expect(await planOf(t)).toBe(plans.free);
    // The same event, signed: applied (so the refusals above were about the signature).
    const ok = await deliver(event);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await planOf(t)).toBe(plans.pro);
  });

  it("a replayed event changes nothing, even when Stripe's state has moved on", async () => {
    const t = await subscribed();
    const sub = fake.subscriptions.get(t.subscription)!;
    fake.setSubscription({ id: sub.id, customer: t.customer, status: "active", prices: [price.business] });
    const event = stripeEvent("customer.subscription.updated", subscriptionObject(sub));
    const first = await deliver(event);
    expect(first.body).toMatchObject({ received: true, outcome: "processed" });
    expect(await planOf(t)).toBe(plans.business);
    const changes = (await auditActions(t)).filter((a) => a === "billing.plan_changed").length;

    fake.setSubscription({ id: sub.id, customer: t.customer, status: "active", prices: [price.pro] });
    const replay = await deliver(event);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ received: true, outcome: "duplicate", event_id: event.id });
    expect(await planOf(t)).toBe(plans.business);
    expect((await auditActions(t)).filter((a) => a === "billing.plan_changed").length).toBe(changes);
  });

  it("an 'updated to Business' delivered after the later cancellation ends on the Free plan", async () => {
    const t = await subscribed();
    const sub = fake.subscriptions.get(t.subscription)!;
    const upgradedAt = Math.floor(Date.now() / 1000) - 60;
    const upgraded = stripeEvent(
      "customer.subscription.updated",
      subscriptionObject({
        ...sub,
        status: "active",
        items: { object: "list", data: [{ price: { id: price.business } }] },
      }),
      upgradedAt,
    );
    // Stripe's state now: canceled after the upgrade.
    fake.setSubscription({ id: sub.id, customer: t.customer, status: "canceled", prices: [price.business] });
    const deleted = stripeEvent("customer.subscription.deleted", subscriptionObject({ ...sub, status: "canceled" }));
    expect((await deliver(deleted)).status).toBe(200);
    expect(await planOf(t)).toBe(plans.free);
    expect((await deliver(upgraded)).status).toBe(200);
    expect(await planOf(t)).toBe(plans.free);
    expect(await auditActions(t)).toContain("billing.plan_changed");
    // Free again: a new checkout starts a new subscription (no portal for the ended one).
    const next = await post("/api/v1/billing/checkout", t.token, { plan_id: plans.business });
    expect(next.body.url).toMatch(/\/checkout\//);
  });

  it("an older 'updated' delivered after a newer one leaves the plan Stripe bills now", async () => {
    const t = await subscribed();
    const sub = fake.subscriptions.get(t.subscription)!;
    const older = stripeEvent(
      "customer.subscription.updated",
      subscriptionObject(sub),
      Math.floor(Date.now() / 1000) - 30,
    );
    fake.setSubscription({ id: sub.id, customer: t.customer, status: "active", prices: [price.business] });
    const newer = stripeEvent("customer.subscription.updated", subscriptionObject(fake.subscriptions.get(sub.id)!));
    expect((await deliver(newer)).status).toBe(200);
    expect(await planOf(t)).toBe(plans.business);
    expect((await deliver(older)).status).toBe(200);
    expect(await planOf(t)).toBe(plans.business);
  });

  it("Stripe unreachable while processing → 503, and the event is processed when Stripe retries it", async () => {
    const t = await subscribed();
    const sub = fake.subscriptions.get(t.subscription)!;
    fake.setSubscription({ id: sub.id, customer: t.customer, status: "active", prices: [price.business] });
    const event = stripeEvent("customer.subscription.updated", subscriptionObject(fake.subscriptions.get(sub.id)!));
    fake.state.down = true;
    try {
      expectError(await deliver(event), 503, "service_unavailable");
    } finally {
      fake.state.down = false;
    }
    expect(await planOf(t)).toBe(plans.pro);
    const retried = await deliver(event);
    expect(retried.body).toMatchObject({ outcome: "processed" });
    expect(await planOf(t)).toBe(plans.business);
  });

  it("an event type the app does not act on → 200, ignored", async () => {
    const res = await deliver(stripeEvent("charge.refunded", { id: "ch_1", object: "charge" }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: "ignored" });
  });
});

// ------------------------------------------------------------------ invoices and grace period

function invoiceObject(t: { customer: string; subscription: string }, status: "paid" | "open", id: string) {
  const now = Math.floor(Date.now() / 1000);
  return {
    id,
    object: "invoice",
    customer: t.customer,
    status,
    period_start: now,
    period_end: now,
    total: 2950,
    amount_due: 2950,
    amount_paid: status === "paid" ? 2950 : 0,
    hosted_invoice_url: `https://invoice.stripe.test/${id}`,
    parent: { type: "subscription_details", subscription_details: { subscription: t.subscription, metadata: {} } },
    lines: {
      object: "list",
      data: [
        {
          id: "il_1",
          object: "line_item",
          amount: 2900,
          pricing: { type: "price_details", price_details: { price: price.pro } },
        },
        {
          id: "il_2",
          object: "line_item",
          amount: 50,
          pricing: { type: "price_details", price_details: { price: price.proMeter } },
        },
      ],
    },
  };
}

const invoicesOf = async (t: Tenant) =>
  (await api("/api/v1/billing/invoices", { token: t.token, baseUrl })).body.items as {
    status: string;
    hosted_invoice_url: string | null;
    amount_cents: number;
    overage_cents: number;
  }[];

describe("invoices", () => {
  it("a second Stripe invoice in the same month gets a record of its own; the first is kept as it was", async () => {
    const t = await subscribed();
    const first = `in_first_${randomUUID().slice(0, 8)}`;
    const second = `in_second_${randomUUID().slice(0, 8)}`;
    expect((await deliver(stripeEvent("invoice.paid", invoiceObject(t, "paid", first)))).status).toBe(200);
    // A proration or renewal invoice whose period starts in the same month, a little later.
    const later = { ...invoiceObject(t, "open", second), period_start: Math.floor(Date.now() / 1000) + 5 };
    expect((await deliver(stripeEvent("invoice.payment_failed", later))).status).toBe(200);
    const records = await invoicesOf(t);
    expect(records).toHaveLength(2);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: "paid", hosted_invoice_url: `https://invoice.stripe.test/${first}` }),
        expect.objectContaining({
          status: "payment_failed",
          hosted_invoice_url: `https://invoice.stripe.test/${second}`,
        }),
      ]),
    );
  });

  it("invoice.paid → the period's billing record is paid, with Stripe's hosted page and amounts", async () => {
    const t = await subscribed();
    const id = `in_paid_${randomUUID().slice(0, 8)}`;
    const res = await deliver(stripeEvent("invoice.paid", invoiceObject(t, "paid", id)));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const records = await invoicesOf(t);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: "paid",
      hosted_invoice_url: `https://invoice.stripe.test/${id}`,
      amount_cents: 2900,
      overage_cents: 50,
    });
  });

  it("invoice.payment_failed → past due on the paid plan; after the grace period, the Free plan and the subscription canceled", async () => {
    const t = await subscribed();
    const id = `in_failed_${randomUUID().slice(0, 8)}`;
    // Stripe's own view after a failed renewal: the subscription is past due.
    fake.subscriptions.get(t.subscription)!.status = "past_due";
    const res = await deliver(stripeEvent("invoice.payment_failed", invoiceObject(t, "open", id)));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await invoicesOf(t))[0]).toMatchObject({ status: "payment_failed" });
    expect(await auditActions(t)).toContain("billing.payment_failed");
    // Still in the grace period: the paid plan stays.
    expect((await cron()).status).toBe(200);
    expect(await planOf(t)).toBe(plans.pro);

    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1) * 1000));
    expect((await cron()).status).toBe(200);
    expect(await planOf(t)).toBe(plans.free);
    expect(fake.requestsTo("DELETE", `/v1/subscriptions/${t.subscription}`)).toHaveLength(1);
    expect(await auditActions(t)).toContain("billing.grace_expired");
    // Stripe's own cancellation event afterwards changes nothing more.
    const after = await deliver(
      stripeEvent("customer.subscription.deleted", subscriptionObject(fake.subscriptions.get(t.subscription)!)),
    );
    expect(after.status).toBe(200);
    expect(await planOf(t)).toBe(plans.free);
  });

  it("a deleted workspace's subscription is canceled at Stripe when the workspace is purged", async () => {
    const t = await subscribed();
    const deleted = await api("/api/v1/customers/me", { method: "DELETE", token: t.token, baseUrl });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
    // Restorable until the purge: Stripe is not touched yet.
    expect(fake.requestsTo("DELETE", `/v1/subscriptions/${t.subscription}`)).toHaveLength(0);
    await expect
      .poll(async () => fake.requestsTo("DELETE", `/v1/subscriptions/${t.subscription}`).length, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(1);
    expect(fake.subscriptions.get(t.subscription)?.status).toBe("canceled");
  });

  it("a payment made at Stripe whose invoice.paid has not arrived yet: the grace period does not cancel it", async () => {
    const t = await subscribed();
    const id = `in_late_${randomUUID().slice(0, 8)}`;
    expect((await deliver(stripeEvent("invoice.payment_failed", invoiceObject(t, "open", id)))).status).toBe(200);
    // The subscription is active again at Stripe (paid), but the webhook is late.
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1) * 1000));
    expect((await cron()).status).toBe(200);
    expect(fake.requestsTo("DELETE", `/v1/subscriptions/${t.subscription}`)).toHaveLength(0);
    expect(await planOf(t)).toBe(plans.pro);
    const usage = await api("/api/v1/billing/usage", { token: t.token, baseUrl });
    expect(usage.body).toMatchObject({ billing_status: "active", payment_failed_at: null });
  });

  it("a payment failure then paid: the grace period ends and the plan stays", async () => {
    const t = await subscribed();
    const id = `in_late_${randomUUID().slice(0, 8)}`;
    await deliver(stripeEvent("invoice.payment_failed", invoiceObject(t, "open", id)));
    expect((await deliver(stripeEvent("invoice.paid", invoiceObject(t, "paid", id)))).status).toBe(200);
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1) * 1000));
    expect((await cron()).status).toBe(200);
    expect(await planOf(t)).toBe(plans.pro);
    expect((await invoicesOf(t))[0]).toMatchObject({ status: "paid" });
  });
});

// ------------------------------------------------------------------ overage meter events

describe("overage meter events", () => {
  it("each settled overage request is sent once, its usage event id as identifier, however often maintenance runs", async () => {
    expect((await cron()).status).toBe(200);
    expect((await cron()).status).toBe(200);
    const sent = fake.requestsTo("POST", "/v1/billing/meter_events");
    const forMeter = sent.filter(
      (r) => (r.body.payload as { stripe_customer_id?: string } | undefined)?.stripe_customer_id === meter.customer,
    );
    const identifiers = forMeter.map((r) => String(r.body.identifier));
    for (const id of meter.settled) expect(identifiers.filter((i) => i === id)).toHaveLength(1);
    // Nothing sent twice (the tenant's own seeded answer may add an overage event of its own).
    expect(new Set(identifiers).size).toBe(identifiers.length);
    for (const r of forMeter) {
      expect(r.body).toMatchObject({ event_name: "pa_overage_test", payload: { value: "1" } });
      expect(Number(r.body.timestamp)).toBeGreaterThan(Date.now() / 1000 - 3600);
    }
    // Not the request still being answered, not the included one, not a tenant without Stripe.
    const all = sent.map((r) => r.body.identifier);
    expect(all).not.toContain(meter.pending);
    expect(all).not.toContain(meter.included);
    expect(all).not.toContain(meter.elsewhere);
  });

  // PGlite's data dir belongs to the server now; PostgreSQL can be written beside it, so
  // the case is defined only there.
  if (process.env.TEST_DB !== "postgres") return;
  it("a pending request is sent once its answer is settled", async () => {
    const db = await openDb();
    try {
      await db.asService("test fixture: the answer went out", (tx) =>
        tx.update(messages).set({ status: "answered" }).where(eq(messages.usageEventId, meter.pending)),
      );
    } finally {
      await db.closeDatabase();
    }
    expect((await cron()).status).toBe(200);
    expect((await cron()).status).toBe(200);
    const sent = fake.requestsTo("POST", "/v1/billing/meter_events").filter((r) => r.body.identifier === meter.pending);
    expect(sent).toHaveLength(1);
  });
});
