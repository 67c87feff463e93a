import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { CATCH_UP_PERIODS } from "@/lib/billing/period-close";
import { billingRecords, customers, subscriptions, usageCounters, users } from "@/lib/db/schema";
import { api, expectError, signUp, visitorIp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { openDirectDatabase } from "../support/direct-db";
import { SEED_PASSWORD, type SeededTenant, seedTenant } from "../support/seed";

// Invoices: when a billing period (calendar month, UTC) ends, the maintenance job writes
// one billing record per tenant with the period's requests, the plan's price and the
// overage; GET /billing/invoices lists a tenant's own, staff see them in the support view.
// Usage of past periods is written straight into usage_counters as fixtures, then the
// maintenance runs through the cron endpoint.

let baseUrl: string;
let server: AppServer | null = null;
let pro: SeededTenant; // on a paid plan with overage, created four periods ago
let free: SeededTenant; // on the Free plan, with a Stripe invoice already recorded for last period
let leaving: SeededTenant; // asked for its deletion
const tokens = { pro: "", free: "", admin: "", support: "" };
const staff = {
  admin: `inv-admin-${randomUUID().slice(0, 8)}@example.test`,
  support: `inv-support-${randomUUID().slice(0, 8)}@example.test`,
};

/** The start of the UTC calendar month `back` months before the current one. */
function periodStart(back: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
}
const iso = (back: number) => periodStart(back).toISOString();
const daysAfter = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000).toISOString();

/**
 * What a server-rendered page shows (streamed parts included), without its scripts: the
 * serialized React payload carries the whole message catalogue, every label included.
 */
const rendered = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<!-- -->/g, "");

const stripeUrl = "https://invoice.stripe.com/i/acct_test/in_test_free";

beforeAll(async () => {
  const db = await openDirectDatabase();
  pro = await seedTenant("Invoice Bakery");
  free = await seedTenant("Invoice Garage");
  leaving = await seedTenant("Invoice Florist");
  const hashed = await hashPassword(SEED_PASSWORD);
  // One transaction: a maintenance run of a shared server sees all of it or none of it.
  await db.asService("test fixture", async (tx) => {
    await tx.insert(users).values([
      { email: staff.admin, hashedPassword: hashed, role: "global_admin" as const },
      { email: staff.support, hashedPassword: hashed, role: "support_user" as const },
    ]);
    const [plan] = await tx
      .insert(subscriptions)
      .values({
        name: `Invoice Pro ${randomUUID().slice(0, 6)}`,
        monthlyRequestLimit: 100,
        storageLimitMb: 100,
        priceCents: 2900,
        overagePriceCents: 5,
        overageAllowed: true,
      })
      .returning({ id: subscriptions.id });
    // seedTenant leaves an invoice and usage of its own: these tenants start without any.
    for (const t of [pro, free, leaving]) {
      await tx.delete(billingRecords).where(eq(billingRecords.customerId, t.customerId));
      await tx.delete(usageCounters).where(eq(usageCounters.customerId, t.customerId));
    }
    await tx
      .update(customers)
      .set({ subscriptionId: plan!.id, createdAt: daysAfter(periodStart(4), 5) })
      .where(eq(customers.id, pro.customerId));
    // Its last payment failed yesterday: the grace period (7 days by default) is running.
    await tx
      .update(customers)
      .set({
        createdAt: daysAfter(periodStart(2), 1),
        billingStatus: "past_due",
        paymentFailedAt: new Date(Date.now() - 86_400_000).toISOString(),
      })
      .where(eq(customers.id, free.customerId));
    await tx
      .update(customers)
      .set({ createdAt: iso(2), status: "pending_deletion", deletionRequestedAt: new Date().toISOString() })
      .where(eq(customers.id, leaving.customerId));
    await tx.insert(usageCounters).values([
      { customerId: pro.customerId, periodStart: iso(2), requests: 130, overageRequests: 30 },
      { customerId: pro.customerId, periodStart: iso(1), requests: 40, overageRequests: 0 },
      { customerId: pro.customerId, periodStart: iso(0), requests: 7, overageRequests: 0 },
      { customerId: free.customerId, periodStart: iso(1), requests: 12, overageRequests: 0 },
      { customerId: leaving.customerId, periodStart: iso(1), requests: 3, overageRequests: 0 },
    ]);
    // Stripe's webhook got there first for the free tenant's last period: its figures stay.
    await tx.insert(billingRecords).values({
      customerId: free.customerId,
      periodStart: iso(1),
      periodEnd: iso(0),
      amountCents: 4900,
      status: "paid",
      stripeInvoiceId: `in_test_${randomUUID().slice(0, 8)}`,
      hostedInvoiceUrl: stripeUrl,
    });
  });
  await db.closeDatabase();
  // A server of its own (PGlite allows one process per data directory; on PostgreSQL it
  // shares the run's database), with payments configured: Stripe itself is never called.
  server = await startAppServer(
    {
      MANYCHAT_API_URL: inject("manychatUrl"),
      CRON_SECRET: "test-cron-secret",
      ENCRYPTION_KEY: inject("encryptionKey"),
      STRIPE_SECRET_KEY: "sk_test_invoices",
      STRIPE_API_URL: "http://127.0.0.1:9",
      ...(db.kind === "postgres" ? { DATABASE_URL: inject("databaseUrl") as string } : {}),
    },
    { dataDir: db.dataDir },
  );
  baseUrl = server.url;
  const login = async (email: string) => {
    const res = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email, password: SEED_PASSWORD },
      headers: { "x-forwarded-for": visitorIp() },
      baseUrl,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.access_token as string;
  };
  tokens.pro = await login(pro.email);
  tokens.free = await login(free.email);
  tokens.admin = await login(staff.admin);
  tokens.support = await login(staff.support);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const sweep = async () => {
  const res = await api("/api/v1/cron/sweep", { token: "test-cron-secret", baseUrl });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};
const invoicesOf = async (token: string, query = "") => {
  const res = await api(`/api/v1/billing/invoices${query}`, { token, baseUrl });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Record<string, unknown>[]; next_cursor: string | null };
};

describe("closing billing periods", () => {
  it("writes one record per ended period the tenant existed in, with the period's figures", async () => {
    await sweep();
    const { items, next_cursor } = await invoicesOf(tokens.pro);
    expect(next_cursor).toBeNull();
    // Newest first; the current period stays open; the catch-up reaches back CATCH_UP_PERIODS.
    expect(items.map((i) => i.period_start)).toEqual([iso(1), iso(2), iso(3)]);
    expect(items).toHaveLength(CATCH_UP_PERIODS);
    expect(items[0]).toMatchObject({
      period_end: iso(0),
      requests_used: 40,
      amount_cents: 2900,
      overage_cents: 0,
      total_cents: 2900,
      status: "open",
      hosted_invoice_url: null,
      plan_name: expect.stringMatching(/^Invoice Pro/),
    });
    // 30 requests past the limit at 5 cents each.
    expect(items[1]).toMatchObject({
      period_end: iso(1),
      requests_used: 130,
      amount_cents: 2900,
      overage_cents: 150,
      total_cents: 3050,
      status: "open",
    });
    // No counter row: nothing was asked that month.
    expect(items[2]).toMatchObject({ requests_used: 0, amount_cents: 2900, overage_cents: 0, status: "open" });
  });

  it("keeps what Stripe's webhook recorded, fills the usage, and marks a free period paid", async () => {
    await sweep();
    const { items } = await invoicesOf(tokens.free);
    expect(items.map((i) => i.period_start)).toEqual([iso(1), iso(2)]);
    expect(items[0]).toMatchObject({
      requests_used: 12,
      amount_cents: 4900,
      overage_cents: 0,
      status: "paid",
      hosted_invoice_url: stripeUrl,
    });
    expect(items[1]).toMatchObject({
      requests_used: 0,
      amount_cents: 0,
      overage_cents: 0,
      total_cents: 0,
      status: "paid",
      plan_name: "Free",
      hosted_invoice_url: null,
    });
  });

  it("running it again changes nothing", async () => {
    await sweep();
    const before = [await invoicesOf(tokens.pro), await invoicesOf(tokens.free)];
    await sweep();
    await sweep();
    expect([await invoicesOf(tokens.pro), await invoicesOf(tokens.free)]).toEqual(before);
  });

  it("skips a workspace being deleted", async () => {
    await sweep();
    const view = await api(`/api/v1/admin/customers/${leaving.customerId}`, { token: tokens.admin, baseUrl });
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body.invoices).toEqual([]);
  });
});

describe("GET /billing/invoices", () => {
  it("pages newest first with a cursor, without repeating or skipping", async () => {
    await sweep();
    const first = await invoicesOf(tokens.pro, "?limit=2");
    expect(first.items.map((i) => i.period_start)).toEqual([iso(1), iso(2)]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await invoicesOf(tokens.pro, `?limit=2&cursor=${encodeURIComponent(first.next_cursor as string)}`);
    expect(second.items.map((i) => i.period_start)).toEqual([iso(3)]);
    expect(second.next_cursor).toBeNull();
    expectError(
      await api("/api/v1/billing/invoices?cursor=not-a-cursor", { token: tokens.pro, baseUrl }),
      422,
      "validation_failed",
    );
    expectError(
      await api("/api/v1/billing/invoices?limit=500", { token: tokens.pro, baseUrl }),
      422,
      "validation_failed",
    );
  });

  it("shows a tenant only its own invoices", async () => {
    await sweep();
    const mine = (await invoicesOf(tokens.pro)).items.map((i) => i.id);
    const theirs = JSON.stringify(await invoicesOf(tokens.free));
    expect(mine.length).toBeGreaterThan(0);
    for (const id of mine) expect(theirs).not.toContain(id);
    // A workspace created this month has nothing to pay yet.
    const fresh = await signUp({}, baseUrl);
    expect(await invoicesOf(fresh.token)).toEqual({ items: [], next_cursor: null });
  });

  it("needs a signed-in tenant", async () => {
    expectError(await api("/api/v1/billing/invoices", { baseUrl }), 401, "unauthenticated");
    expectError(await api("/api/v1/billing/invoices", { token: tokens.admin, baseUrl }), 403, "forbidden");
  });
});

describe("the support view (GET /admin/customers/{id})", () => {
  it("shows staff the tenant's requests this period against its limit, and its invoices", async () => {
    await sweep();
    const tenantView = await invoicesOf(tokens.pro);
    for (const who of ["admin", "support"] as const) {
      const res = await api(`/api/v1/admin/customers/${pro.customerId}`, { token: tokens[who], baseUrl });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.billing).toMatchObject({
        billing_status: "none",
        period_start: iso(0),
        requests_used: 7,
        request_limit: 100,
        overage_requests: 0,
        payment_failed_at: null,
      });
      expect(res.body.invoices).toEqual(tenantView.items);
    }
    const failed = await api(`/api/v1/admin/customers/${free.customerId}`, { token: tokens.support, baseUrl });
    expect(failed.body.billing).toMatchObject({ billing_status: "past_due", payment_failed_at: expect.any(String) });
  });

  it("renders them on the admin console's tenant page", async () => {
    await sweep();
    const login = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: staff.support, password: SEED_PASSWORD },
      headers: { "x-forwarded-for": visitorIp() },
      baseUrl,
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const res = await fetch(`${baseUrl}/admin/tenants/${pro.customerId}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = rendered(await res.text());
    const month = periodStart(2).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
    expect(html).toContain("Requests this billing period");
    expect(html).toContain("7 of 100");
    expect(html).toContain(month);
    expect(html).toContain("€30.50");
    expect(html).not.toContain("No invoice yet");
  });

  it("is refused to the tenant itself", async () => {
    expectError(
      await api(`/api/v1/admin/customers/${pro.customerId}`, { token: tokens.pro, baseUrl }),
      403,
      "forbidden",
    );
  });
});

describe("the Usage and billing page", () => {
  /** The page as the tenant's browser gets it. */
  async function billingPage(email: string, password = SEED_PASSWORD) {
    const login = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email, password },
      headers: { "x-forwarded-for": visitorIp() },
      baseUrl,
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const res = await fetch(`${baseUrl}/dashboard/billing`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return rendered(await res.text());
  }
  /** The opening tag of the button whose text is `label`. */
  const buttonTag = (html: string, label: string) => {
    const before = html.slice(0, html.indexOf(`>${label}</button>`) + 1);
    return before.slice(before.lastIndexOf("<button"));
  };

  it("lists the invoices and, payments being configured, offers Stripe; a failed payment is explained", async () => {
    await sweep();
    const html = await billingPage(free.email);
    expect(html).toContain("Payment failed: update your payment method");
    expect(html).toContain("Update your payment method before");
    expect(buttonTag(html, "Update payment method")).not.toContain('disabled=""');
    expect(buttonTag(html, "Manage billing")).not.toContain('disabled=""');
    expect(buttonTag(html, "Choose Pro")).not.toContain('disabled=""');
    expect(html).not.toContain("Online payment is not configured");
    expect(html).toContain('data-testid="invoices-table"');
    expect(html).toContain(`href="${stripeUrl}"`);
    expect(html).toContain(periodStart(1).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" }));
    expect(html).toContain("€49.00");
  });

  it("says when the first invoice comes to a tenant without any, and shows no failed payment", async () => {
    const fresh = await signUp({}, baseUrl);
    const html = await billingPage(fresh.email, fresh.password);
    expect(html).toContain("No invoice yet. The first one appears here when this billing period ends, on");
    expect(html).not.toContain('data-testid="invoices-table"');
    expect(html).not.toContain("Payment failed: update your payment method");
    // No Stripe subscription yet: nothing to manage, but the plans can be bought.
    expect(html).not.toContain(">Manage billing</button>");
    expect(buttonTag(html, "Choose Starter")).not.toContain('disabled=""');
  });
});
