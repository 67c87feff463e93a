import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimRequest, releaseRequest } from "@/lib/billing/metering";
import { customers, messages, subscriptions, usageCounters, usageEvents } from "@/lib/db/schema";
import { failInterruptedQuestions } from "@/lib/rag/stale-questions";
import { openDirectDatabase } from "./support/direct-db";
import { claimsOf, type SeededTenant, seedTenant } from "./support/seed";

// The metering functions in the database (private.claim_request / release_request),
// called as the answer job and /query call them: under the tenant's claims, each in its
// own transaction, many at once (on PostgreSQL, through a pool of connections).
let db: Awaited<ReturnType<typeof openDirectDatabase>>;

beforeAll(async () => {
  db = await openDirectDatabase();
});
afterAll(async () => {
  await db?.closeDatabase();
});

/** A seeded tenant on a plan of its own. */
async function tenantOnPlan(limit: number, overage: boolean) {
  const tenant = await seedTenant(`Meter ${randomUUID().slice(0, 6)}`);
  await db.asService("test fixture", async (tx) => {
    const [plan] = await tx
      .insert(subscriptions)
      .values({
        name: `Meter plan ${randomUUID().slice(0, 8)}`,
        monthlyRequestLimit: limit,
        storageLimitMb: 10,
        overageAllowed: overage,
        overagePriceCents: 3,
      })
      .returning({ id: subscriptions.id });
    await tx.update(customers).set({ subscriptionId: plan!.id }).where(eq(customers.id, tenant.customerId));
  });
  return tenant;
}

async function questions(tenant: SeededTenant, n: number, channel: "whatsapp" | "api" = "whatsapp", agoMinutes = 0) {
  return db.asService("test fixture", async (tx) => {
    const made = await tx
      .insert(messages)
      .values(
        Array.from({ length: n }, (_, i) => ({
          customerId: tenant.customerId,
          subscriberId: `meter-${i}`,
          direction: "inbound" as const,
          content: `Question ${i}`,
          channel,
          createdAt: new Date(Date.now() - agoMinutes * 60_000).toISOString(),
        })),
      )
      .returning({ id: messages.id });
    return made.map((m) => m.id);
  });
}

const counter = async (tenant: SeededTenant) => {
  const rows = await db.asService("test check", (tx) =>
    tx
      .select()
      .from(usageCounters)
      .where(and(eq(usageCounters.customerId, tenant.customerId), sql`period_start = private.billing_period_start()`)),
  );
  return rows[0] ?? { requests: 0, overageRequests: 0 };
};

const claim = (tenant: SeededTenant, ids: string[], channel: "whatsapp" | "api" = "whatsapp") =>
  db.withTenant(claimsOf(tenant), (tx) => claimRequest(tx, ids, channel));

describe(`metering on ${process.env.TEST_DB}`, () => {
  it("100 concurrent claims against a limit of 37 without overage: exactly 37 counted", async () => {
    const tenant = await tenantOnPlan(37, false);
    const ids = await questions(tenant, 100);
    const results = await Promise.all(ids.map((id) => claim(tenant, [id])));
    expect(results.filter((r) => r.decision === "counted")).toHaveLength(37);
    expect(results.filter((r) => r.decision === "limited")).toHaveLength(63);
    expect(await counter(tenant)).toMatchObject({ requests: 37, overageRequests: 0 });
    const events = await db.asService("test check", (tx) =>
      tx.select().from(usageEvents).where(eq(usageEvents.customerId, tenant.customerId)),
    );
    expect(events).toHaveLength(37 + 1); // + the seeded event of an earlier period
  });

  it("claiming the same messages again counts nothing more, even when a newer message joins the answer", async () => {
    const tenant = await tenantOnPlan(10, false);
    const [first, second] = await questions(tenant, 2);
    const a = await claim(tenant, [first!]);
    const b = await claim(tenant, [first!]);
    const c = await claim(tenant, [first!, second!]);
    expect(a.decision).toBe("counted");
    expect(b).toEqual(a.decision === "counted" ? { ...a, requestsUsed: 1 } : a);
    expect(c).toMatchObject({ decision: "counted", usageEventId: (a as { usageEventId: string }).usageEventId });
    expect((await counter(tenant)).requests).toBe(1);
  });

  it("with overage, claims past the limit are counted as overage", async () => {
    const tenant = await tenantOnPlan(2, true);
    const ids = await questions(tenant, 5);
    for (const id of ids) expect((await claim(tenant, [id])).decision).toBe("counted");
    expect(await counter(tenant)).toMatchObject({ requests: 5, overageRequests: 3 });
  });

  it("a released request is no longer counted; releasing twice releases once", async () => {
    const tenant = await tenantOnPlan(2, true);
    const ids = await questions(tenant, 3);
    for (const id of ids) await claim(tenant, [id]);
    const release = () => db.withTenant(claimsOf(tenant), (tx) => releaseRequest(tx, [ids[2]!]));
    expect(await release()).toBe(true);
    expect(await release()).toBe(false);
    expect(await counter(tenant)).toMatchObject({ requests: 2, overageRequests: 0 });
  });

  it("a tenant cannot claim or release for another tenant's messages", async () => {
    const mine = await tenantOnPlan(5, false);
    const theirs = await tenantOnPlan(5, false);
    const [theirId] = await questions(theirs, 1);
    await claim(theirs, [theirId!]);
    expect(await db.withTenant(claimsOf(mine), (tx) => releaseRequest(tx, [theirId!]))).toBe(false);
    const mineClaim = await claim(mine, [theirId!]);
    expect(mineClaim.decision).toBe("counted");
    // Counted on the caller's own counter, and their message was not touched.
    expect((await counter(theirs)).requests).toBe(1);
    const [row] = await db.asService("test check", (tx) =>
      tx.select({ usage: messages.usageEventId }).from(messages).where(eq(messages.id, theirId!)),
    );
    expect(row?.usage).not.toBe((mineClaim as { usageEventId: string }).usageEventId);
  });

  it("API questions interrupted mid-answer end failed and give their request back", async () => {
    const tenant = await tenantOnPlan(5, false);
    const [stale] = await questions(tenant, 1, "api", 30);
    const [fresh] = await questions(tenant, 1, "api", 0);
    await claim(tenant, [stale!], "api");
    await claim(tenant, [fresh!], "api");
    expect((await counter(tenant)).requests).toBe(2);
    expect(await failInterruptedQuestions()).toBeGreaterThanOrEqual(1);
    const rows = await db.asService("test check", (tx) =>
      tx
        .select({ id: messages.id, status: messages.status })
        .from(messages)
        .where(eq(messages.customerId, tenant.customerId)),
    );
    expect(rows.find((r) => r.id === stale)?.status).toBe("failed");
    expect(rows.find((r) => r.id === fresh)?.status).toBe("pending");
    expect((await counter(tenant)).requests).toBe(1);
  });
});
