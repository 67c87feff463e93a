import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDirectDatabase } from "./support/direct-db";
import { claimsOf, type SeededTenant, seedTenant } from "./support/seed";

// Tenant isolation is enforced by the database (row-level security), not by WHERE
// clauses: every statement here deliberately forgets to filter by tenant.
const tenantTables = [
  "customers",
  "users",
  "documents",
  "document_chunks",
  "messages",
  "jobs",
  "reply_sends",
  "billing_records",
  "usage_events",
  "audit_logs",
] as const;
const ownerColumn = (t: string) => (t === "customers" ? "id" : "customer_id");

let db: Awaited<ReturnType<typeof openDirectDatabase>>;
type Seeded = SeededTenant & { ids: SeededTenant["ids"] & { reply_sends: string } };
let a: Seeded;
let b: Seeded;

beforeAll(async () => {
  db = await openDirectDatabase();
  a = await withReply(await seedTenant("Alpha"));
  b = await withReply(await seedTenant("Bravo"));
});

/** A reply waiting to be sent (lib/rag/reply-sends.ts), on a finished job no sweeper runs. */
async function withReply(t: SeededTenant): Promise<Seeded> {
  const [row] = await db.asService("test seed", (tx) =>
    db.rows<{ id: string }>(
      tx,
      sql`with j as (insert into jobs (customer_id, kind, status) values (${t.customerId}, 'isolation_check', 'done') returning id)
          insert into reply_sends (customer_id, job_id, subscriber_id, reply)
          select ${t.customerId}, j.id, 'sub-1', '{"kind":"answer","parts":["Hi"],"message_ids":[],"question":"Hi"}'::jsonb
          from j returning id::text`,
    ),
  );
  return { ...t, ids: { ...t.ids, reply_sends: (row as { id: string }).id } };
}
afterAll(async () => {
  await db?.closeDatabase();
});

const asA = <T>(fn: Parameters<typeof db.withTenant<T>>[1]) => db.withTenant(claimsOf(a), fn);

describe(`row-level security on ${process.env.TEST_DB}`, () => {
  it.each(tenantTables)("reading %s without a WHERE clause returns only the caller's rows", async (table) => {
    const seen = await asA((tx) =>
      db.rows<{ owner: string; id: string }>(
        tx,
        sql.raw(`select ${ownerColumn(table)}::text as owner, id::text as id from public.${table}`),
      ),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((r) => r.id)).toContain(a.ids[table]);
    expect(seen.map((r) => r.id)).not.toContain(b.ids[table]);
    expect(new Set(seen.map((r) => r.owner))).toEqual(new Set([a.customerId]));
  });

  it("reading usage_counters without a WHERE clause returns only the caller's counters", async () => {
    const seen = await asA((tx) =>
      db.rows<{ owner: string }>(tx, sql`select customer_id::text as owner from usage_counters`),
    );
    expect(seen.map((r) => r.owner)).toEqual([a.customerId]);
  });

  it("a vector search across all chunks finds only the caller's passages", async () => {
    const found = await asA((tx) =>
      db.rows<{ customer_id: string }>(
        tx,
        sql`select customer_id::text from document_chunks order by embedding <=> ${JSON.stringify(
          Array.from({ length: 1536 }, (_, i) => (i === "Bravo".length ? 1 : 0)),
        )}::vector limit 10`,
      ),
    );
    expect(found.map((r) => r.customer_id)).toEqual([a.customerId]);
  });

  it.each(tenantTables.filter((t) => !["users", "billing_records", "usage_events", "audit_logs"].includes(t)))(
    "updating another tenant's row in %s changes nothing",
    async (table) => {
      const column = table === "customers" ? "name" : table === "documents" ? "filename" : null;
      const statement =
        table === "customers" || table === "documents"
          ? `update public.${table} set ${column} = 'hijacked' where id = '${b.ids[table]}' returning id`
          : table === "document_chunks"
            ? `update public.${table} set content = 'hijacked' where id = '${b.ids[table]}' returning id`
            : table === "messages"
              ? `update public.${table} set content = 'hijacked' where id = '${b.ids[table]}' returning id`
              : table === "reply_sends"
                ? `update public.${table} set subscriber_id = 'hijacked' where id = '${b.ids[table]}' returning id`
                : `update public.${table} set status = 'failed' where id = '${b.ids[table]}' returning id`;
      const updated = await asA((tx) => db.rows(tx, sql.raw(statement)));
      expect(updated).toHaveLength(0);
      const [after] = await db.asService("test check", (tx) =>
        db.rows<{ row: string }>(
          tx,
          sql.raw(`select row_to_json(t)::text as row from public.${table} t where id = '${b.ids[table]}'`),
        ),
      );
      expect(after?.row).not.toContain("hijacked");
    },
  );

  it.each(["documents", "document_chunks", "messages", "jobs", "reply_sends"] as const)(
    "deleting another tenant's row in %s deletes nothing",
    async (table) => {
      const deleted = await asA((tx) =>
        db.rows(tx, sql.raw(`delete from public.${table} where id = '${b.ids[table]}' returning id`)),
      );
      expect(deleted).toHaveLength(0);
      const still = await db.asService("test check", (tx) =>
        db.rows(tx, sql.raw(`select 1 from public.${table} where id = '${b.ids[table]}'`)),
      );
      expect(still).toHaveLength(1);
    },
  );

  it("a blanket DELETE without WHERE removes only the caller's rows", async () => {
    const c = await seedTenant("Charlie");
    const deleted = await db.withTenant(claimsOf(c), (tx) =>
      db.rows<{ customer_id: string }>(tx, sql`delete from messages returning customer_id::text`),
    );
    expect(deleted.map((r) => r.customer_id)).toEqual([c.customerId]);
    const others = await db.asService("test check", (tx) =>
      db.rows(tx, sql`select 1 from messages where customer_id in (${a.customerId}, ${b.customerId})`),
    );
    expect(others).toHaveLength(2);
  });

  it.each([
    ["documents", `insert into documents (customer_id, filename) values ($B, 'planted.pdf')`],
    [
      "messages",
      `insert into messages (customer_id, subscriber_id, direction, content) values ($B, 's', 'inbound', 'planted')`,
    ],
    ["jobs", `insert into jobs (customer_id, kind) values ($B, 'planted')`],
    [
      "reply_sends",
      `insert into reply_sends (customer_id, job_id, subscriber_id, reply) values ($B, $JOB, 's', '{}'::jsonb)`,
    ],
    ["audit_logs", `insert into audit_logs (customer_id, action) values ($B, 'planted')`],
  ])("inserting a row for another tenant into %s is refused by the database", async (_table, statement) => {
    await expect(
      asA((tx) =>
        db.rows(tx, sql.raw(statement.replace("$B", `'${b.customerId}'`).replace("$JOB", `'${b.ids.jobs}'`))),
      ),
    ).rejects.toMatchObject({
      cause: expect.objectContaining({ code: "42501" }),
    });
  });

  it("moving one's own row to another tenant is refused", async () => {
    await expect(
      asA((tx) =>
        db.rows(tx, sql.raw(`update documents set customer_id = '${b.customerId}' where id = '${a.ids.documents}'`)),
      ),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ code: "42501" }) });
  });

  it("tenants cannot write invoices or their own usage, nor rewrite or erase the audit trail", async () => {
    for (const statement of [
      `insert into billing_records (customer_id, period_start, period_end) values ('${a.customerId}', now(), now())`,
      `update usage_counters set requests = 0`,
      `delete from usage_events where id = '${a.ids.usage_events}'`,
      `insert into usage_counters (customer_id, period_start) values ('${a.customerId}', now())`,
      `update audit_logs set action = 'erased' where id = '${a.ids.audit_logs}'`,
      `delete from audit_logs where id = '${a.ids.audit_logs}'`,
    ]) {
      await expect(asA((tx) => db.rows(tx, sql.raw(statement)))).rejects.toMatchObject({
        cause: expect.objectContaining({ code: "42501" }),
      });
    }
  });

  it("tenants cannot change their own plan or status", async () => {
    for (const statement of [
      `update customers set status = 'active', subscription_id = subscription_id where id = '${a.customerId}'`,
      `update customers set stripe_customer_id = 'cus_free' where id = '${a.customerId}'`,
    ]) {
      await expect(asA((tx) => db.rows(tx, sql.raw(statement)))).rejects.toMatchObject({
        cause: expect.objectContaining({ code: "42501" }),
      });
    }
  });

  it("the service role cannot rewrite the audit trail either", async () => {
    await expect(
      db.asService("test", (tx) => db.rows(tx, sql.raw(`delete from audit_logs where id = '${a.ids.audit_logs}'`))),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ code: "42501" }) });
  });

  it("without claims, the authenticated role sees nothing at all", async () => {
    const seen = await db.withTenant({ role: "authenticated", customer_id: "" } as never, async (tx) => {
      const out: number[] = [];
      for (const t of [...tenantTables, "usage_counters"]) {
        const [r] = await db.rows<{ n: number }>(tx, sql.raw(`select count(*)::int as n from public.${t}`));
        out.push(r?.n ?? -1);
      }
      return out;
    });
    expect(seen).toEqual([...tenantTables, "usage_counters"].map(() => 0));
  });

  it("rate-limit counters and sessions are invisible to tenants", async () => {
    await db.asService("test", (tx) =>
      db.rows(
        tx,
        sql`insert into rate_limits (key, window_start, count) values ('test:key', now(), 1) on conflict do nothing`,
      ),
    );
    await expect(asA((tx) => db.rows(tx, sql`select * from rate_limits`))).rejects.toMatchObject({
      cause: expect.objectContaining({ code: "42501" }),
    });
    const mine = await db.withTenant(claimsOf(b), (tx) =>
      db.rows<{ user_id: string }>(tx, sql`select user_id::text from sessions`),
    );
    expect(mine.every((s) => s.user_id === b.userId)).toBe(true);
  });
});
