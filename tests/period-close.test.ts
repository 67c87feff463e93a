import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeBillingPeriods } from "@/lib/billing/period-close";
import { billingRecords, customers, subscriptions, usageCounters } from "@/lib/db/schema";
import { openDirectDatabase } from "./support/direct-db";
import { type SeededTenant, seedTenant } from "./support/seed";

// The period close at its boundaries, with the clock pinned in the future (a shared
// server's own maintenance, running on today's date, never reaches these tenants): a
// period is closed only once it has ended, on exact UTC month starts whatever the
// database's time zone, and what is closed stays as it was when the plan changes later.
let db: Awaited<ReturnType<typeof openDirectDatabase>>;
let tenant: SeededTenant;
let starterId: string;
let proId: string;

beforeAll(async () => {
  db = await openDirectDatabase();
  tenant = await seedTenant("Period Close Café");
  await db.asService("test fixture", async (tx) => {
    const plan = (name: string, limit: number, price: number, overage: number) => ({
      name: `${name} ${randomUUID().slice(0, 6)}`,
      monthlyRequestLimit: limit,
      storageLimitMb: 500,
      priceCents: price,
      overagePriceCents: overage,
      overageAllowed: true,
    });
    const [starter, pro] = await tx
      .insert(subscriptions)
      .values([plan("Close Starter", 2000, 2900, 2), plan("Close Pro", 10000, 9900, 1)])
      .returning({ id: subscriptions.id });
    starterId = starter?.id as string;
    proId = pro?.id as string;
    await tx.delete(billingRecords).where(eq(billingRecords.customerId, tenant.customerId));
    await tx.delete(usageCounters).where(eq(usageCounters.customerId, tenant.customerId));
    await tx
      .update(customers)
      .set({ subscriptionId: starterId, createdAt: "2030-02-14T12:00:00Z" })
      .where(eq(customers.id, tenant.customerId));
    await tx.insert(usageCounters).values([
      { customerId: tenant.customerId, periodStart: "2030-02-01T00:00:00Z", requests: 2500, overageRequests: 500 },
      { customerId: tenant.customerId, periodStart: "2030-03-01T00:00:00Z", requests: 10, overageRequests: 0 },
    ]);
  });
});
afterAll(async () => {
  await db?.closeDatabase();
});

async function records() {
  return db.asService("test check", (tx) =>
    db.rows<{
      period_start: string;
      period_end: string;
      requests_used: number;
      amount_cents: number;
      overage_cents: number;
      status: string;
    }>(
      tx,
      sql`select to_char(period_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as period_start,
                 to_char(period_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as period_end,
                 requests_used, amount_cents, overage_cents, status
          from billing_records where customer_id = ${tenant.customerId} order by period_start`,
    ),
  );
}

describe("closeBillingPeriods", () => {
  it("closes nothing before the period ends, then the period the tenant was created in", async () => {
    await closeBillingPeriods({ now: new Date("2030-02-28T23:59:59Z") });
    expect(await records()).toEqual([]);
    await closeBillingPeriods({ now: new Date("2030-03-01T00:00:30Z") });
    // Starter: €29 a month, €0.02 per request past 2,000.
    expect(await records()).toEqual([
      {
        period_start: "2030-02-01T00:00",
        period_end: "2030-03-01T00:00",
        requests_used: 2500,
        amount_cents: 2900,
        overage_cents: 1000,
        status: "open",
      },
    ]);
  });

  it("keeps closed periods as they were when the plan changes, and closes the next one on the new plan", async () => {
    await db.asService("test fixture", (tx) =>
      tx.update(customers).set({ subscriptionId: proId }).where(eq(customers.id, tenant.customerId)),
    );
    // Any time zone: the periods are calendar months in UTC (March 31 is a DST change in
    // Europe). PGlite has one connection, so the setting reaches the close there.
    await db.asService("test fixture", (tx) => tx.execute(sql`set time zone 'Europe/Paris'`));
    await closeBillingPeriods({ now: new Date("2030-04-01T00:00:01Z") });
    await closeBillingPeriods({ now: new Date("2030-04-01T00:05:00Z") });
    expect(await records()).toEqual([
      expect.objectContaining({ period_start: "2030-02-01T00:00", amount_cents: 2900, overage_cents: 1000 }),
      {
        period_start: "2030-03-01T00:00",
        period_end: "2030-04-01T00:00",
        requests_used: 10,
        amount_cents: 9900,
        overage_cents: 0,
        status: "open",
      },
    ]);
  });
});
