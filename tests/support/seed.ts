import { randomUUID } from "node:crypto";
import { hashPassword } from "@/lib/auth/passwords";
import { asService } from "@/lib/db/client";
import {
  auditLogs,
  billingRecords,
  documentChunks,
  documents,
  jobs,
  messages,
  usageCounters,
  usageEvents,
  users,
} from "@/lib/db/schema";
import { createTenant } from "@/lib/tenants/create-tenant";

export const SEED_PASSWORD = "correct horse battery";

/** A unit vector in 1536 dimensions pointing along axis `i`. */
export function axisVector(i: number): number[] {
  const v = new Array<number>(1536).fill(0);
  v[i % 1536] = 1;
  return v;
}

/**
 * A tenant with its owner and one row in every tenant-owned table, written through
 * the privileged path as a test fixture.
 */
export async function seedTenant(name: string) {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomUUID().slice(0, 8)}@example.test`;
  const hashed = await hashPassword(SEED_PASSWORD);
  return asService("test fixture", async (tx) => {
    const customer = await createTenant(tx, name);
    const [user] = await tx
      .insert(users)
      .values({ email, hashedPassword: hashed, customerId: customer.id })
      .returning({ id: users.id });
    const [doc] = await tx
      .insert(documents)
      .values({ customerId: customer.id, filename: `${name}-catalogue.pdf`, sizeBytes: 1234, status: "processed" })
      .returning({ id: documents.id });
    const [chunk] = await tx
      .insert(documentChunks)
      .values({
        customerId: customer.id,
        documentId: doc!.id,
        chunkIndex: 0,
        pageStart: 1,
        pageEnd: 1,
        content: `${name} sells blue widgets for 12 euros`,
        embedding: axisVector(name.length),
      })
      .returning({ id: documentChunks.id });
    const [message] = await tx
      .insert(messages)
      .values({ customerId: customer.id, subscriberId: "sub-1", direction: "inbound", content: `Hello ${name}` })
      .returning({ id: messages.id });
    const [job] = await tx
      .insert(jobs)
      .values({ customerId: customer.id, kind: "answer_message", payload: { message_id: message!.id } })
      .returning({ id: jobs.id });
    const [invoice] = await tx
      .insert(billingRecords)
      .values({
        customerId: customer.id,
        periodStart: "2026-10-01T00:00:00Z",
        periodEnd: "2026-11-01T00:00:00Z",
        amountCents: 2900,
      })
      .returning({ id: billingRecords.id });
    const [usage] = await tx
      .insert(usageEvents)
      .values({ customerId: customer.id, periodStart: "2026-10-01T00:00:00Z", channel: "whatsapp", overage: true })
      .returning({ id: usageEvents.id });
    await tx
      .insert(usageCounters)
      .values({ customerId: customer.id, periodStart: "2026-10-01T00:00:00Z", requests: 1, overageRequests: 1 });
    const [audit] = await tx
      .insert(auditLogs)
      .values({ customerId: customer.id, action: "test.seeded", actorUserId: user!.id })
      .returning({ id: auditLogs.id });
    return {
      customerId: customer.id,
      name,
      userId: user!.id,
      email,
      password: SEED_PASSWORD,
      ids: {
        customers: customer.id,
        users: user!.id,
        documents: doc!.id,
        document_chunks: chunk!.id,
        messages: message!.id,
        jobs: job!.id,
        billing_records: invoice!.id,
        usage_events: usage!.id,
        audit_logs: audit!.id,
      },
    };
  });
}

export type SeededTenant = Awaited<ReturnType<typeof seedTenant>>;

export function claimsOf(t: SeededTenant) {
  return {
    sub: t.userId,
    role: "authenticated" as const,
    app_role: "account_user" as const,
    customer_id: t.customerId,
  };
}
