import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { messages } from "@/lib/db/schema";
import { deleteExpiredMessages } from "@/lib/gdpr/message-retention";
import { openDirectDatabase } from "./support/direct-db";
import { type SeededTenant, seedTenant } from "./support/seed";

// Conversations older than the tenant's retention setting (365 days by default) are
// deleted by the maintenance pass; younger ones, and other tenants' under their own
// setting, stay.
let db: Awaited<ReturnType<typeof openDirectDatabase>>;
let short: SeededTenant;
let standard: SeededTenant;

beforeAll(async () => {
  db = await openDirectDatabase();
  short = await seedTenant("Short Memory");
  standard = await seedTenant("Standard Memory");
  await db.asService("test fixture", (tx) =>
    db.rows(
      tx,
      sql`update customers set settings = settings || '{"message_retention_days": 30}' where id = ${short.customerId}`,
    ),
  );
});
afterAll(async () => {
  await db?.closeDatabase();
});

async function messageAged(tenant: SeededTenant, days: number, content: string) {
  return db.asService("test fixture", async (tx) => {
    const [row] = await tx
      .insert(messages)
      .values({
        customerId: tenant.customerId,
        subscriberId: "sub-retention",
        direction: "inbound",
        content,
        createdAt: new Date(Date.now() - days * 86_400_000).toISOString(),
      })
      .returning({ id: messages.id });
    return row!.id;
  });
}

it("deletes each tenant's messages past its own retention, and nothing else", async () => {
  const shortOld = await messageAged(short, 40, "short, 40 days");
  const shortRecent = await messageAged(short, 10, "short, 10 days");
  const standardOld = await messageAged(standard, 40, "standard, 40 days");
  const standardAncient = await messageAged(standard, 400, "standard, 400 days");
  expect(await deleteExpiredMessages()).toBeGreaterThanOrEqual(2);
  const left = await db.asService("test", (tx) =>
    db.rows<{ id: string }>(
      tx,
      sql`select id::text as id from messages where id in (${shortOld}, ${shortRecent}, ${standardOld}, ${standardAncient})`,
    ),
  );
  expect(left.map((r) => r.id).sort()).toEqual([shortRecent, standardOld].sort());
});
