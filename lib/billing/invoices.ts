import "server-only";
import { and, desc, eq, lt, or } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { type Tx, withTenant } from "@/lib/db/client";
import { billingRecords, subscriptions } from "@/lib/db/schema";
import { decodeCursor, page } from "@/lib/http/pagination";

/** One closed billing period as the tenant and staff see it (API.md, Billing). */
export interface Invoice {
  id: string;
  period_start: string;
  period_end: string;
  plan_name: string | null;
  requests_used: number;
  amount_cents: number;
  overage_cents: number;
  total_cents: number;
  status: "open" | "draft" | "paid" | "payment_failed" | "void";
  hosted_invoice_url: string | null;
  created_at: string;
}

const iso = (v: string) => new Date(v).toISOString();

/**
 * A tenant's billing records, newest period first. `tx` decides what is visible: the
 * tenant's own rows under row-level security, or any tenant's for an audited staff read
 * (then `customerId` narrows it down).
 */
export async function readInvoices(
  tx: Tx,
  input: { limit: number; cursor?: string; customerId?: string },
): Promise<{ items: Invoice[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  const found = await tx
    .select({ record: billingRecords, planName: subscriptions.name })
    .from(billingRecords)
    .leftJoin(subscriptions, eq(subscriptions.id, billingRecords.subscriptionId))
    .where(
      and(
        input.customerId ? eq(billingRecords.customerId, input.customerId) : undefined,
        after
          ? or(
              lt(billingRecords.periodStart, after.at),
              and(eq(billingRecords.periodStart, after.at), lt(billingRecords.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(billingRecords.periodStart), desc(billingRecords.id))
    .limit(input.limit + 1);
  const paged = page(found, input.limit, (r) => [r.record.periodStart, r.record.id]);
  return {
    items: paged.items.map(({ record: r, planName }) => ({
      id: r.id,
      period_start: iso(r.periodStart),
      period_end: iso(r.periodEnd),
      plan_name: planName,
      requests_used: r.requestsUsed,
      amount_cents: r.amountCents,
      overage_cents: r.overageCents,
      total_cents: r.amountCents + r.overageCents,
      status: r.status,
      hosted_invoice_url: r.hostedInvoiceUrl,
      created_at: iso(r.createdAt),
    })),
    next_cursor: paged.next_cursor,
  };
}

/** GET /billing/invoices: the tenant's own invoices, read under row-level security. */
export function listInvoices(identity: Identity, input: { limit: number; cursor?: string }) {
  return withTenant(tenantClaims(identity), (tx) => readInvoices(tx, input));
}
