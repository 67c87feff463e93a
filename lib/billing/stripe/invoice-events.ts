import "server-only";
import { eq, isNotNull, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { rows, type Tx } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import type { Tenant } from "./subscription-sync";

/**
 * invoice.paid / invoice.payment_failed: the tenant's billing record of the invoice's
 * period (the calendar month, UTC, containing the invoice's period start) takes Stripe's
 * invoice id, hosted page, amount and outcome; the tenant's billing state follows. A
 * failure reported after the same invoice was paid (events out of order) changes nothing.
 *
 * Returns "failed_newly" when this failure starts the tenant's grace period.
 */
export async function recordInvoice(
  tx: Tx,
  tenant: Tenant,
  invoice: Stripe.Invoice,
  outcome: "paid" | "payment_failed",
): Promise<"recorded" | "failed_newly" | "stale"> {
  // As billing records split them: the plan's part and the metered overage part.
  const overage = await overageCents(tx, invoice);
  const amount = Math.max((invoice.total ?? invoice.amount_due ?? 0) - overage, 0);
  const url = invoice.hosted_invoice_url ?? null;
  const periodStart = Number.isFinite(invoice.period_start) ? invoice.period_start : Math.floor(Date.now() / 1000);

  // Already recorded under its id (whatever period it was filed under): that row.
  let stored = await rows<{ status: string }>(
    tx,
    sql`update billing_records b set
          hosted_invoice_url = coalesce(${url}, b.hosted_invoice_url),
          amount_cents = ${amount},
          overage_cents = ${overage},
          status = case when b.status = 'paid' then 'paid' else ${outcome} end
        where b.stripe_invoice_id = ${invoice.id}
        returning b.status`,
  );
  if (stored.length === 0) {
    stored = await rows<{ status: string }>(
      tx,
      sql`with period as (select private.billing_period_start(to_timestamp(${periodStart}::double precision)) as ps)
          insert into billing_records as b (customer_id, subscription_id, period_start, period_end,
                                            amount_cents, overage_cents, status, stripe_invoice_id, hosted_invoice_url)
          select ${tenant.id}, ${tenant.subscriptionId}, ps, ps + interval '1 month',
                 ${amount}, ${overage}, ${outcome}, ${invoice.id}, ${url}
          from period
          on conflict (customer_id, period_start) do update set
            stripe_invoice_id = excluded.stripe_invoice_id,
            hosted_invoice_url = coalesce(excluded.hosted_invoice_url, b.hosted_invoice_url),
            amount_cents = excluded.amount_cents,
            overage_cents = excluded.overage_cents,
            status = excluded.status
          -- Never take over the record of another Stripe invoice (a renewal or a proration
          -- in the same month): that one is kept below, under its own period.
          where b.stripe_invoice_id is null
          returning b.status`,
    );
  }
  if (stored.length === 0) {
    // The month's record already belongs to another invoice: this one gets a record of its
    // own, filed under Stripe's exact period start, so no invoice is ever lost.
    const periodEnd =
      Number.isFinite(invoice.period_end) && invoice.period_end > periodStart ? invoice.period_end : null;
    stored = await rows<{ status: string }>(
      tx,
      sql`insert into billing_records as b (customer_id, subscription_id, period_start, period_end,
                                            amount_cents, overage_cents, status, stripe_invoice_id, hosted_invoice_url)
          values (${tenant.id}, ${tenant.subscriptionId}, to_timestamp(${periodStart}::double precision),
                  coalesce(to_timestamp(${periodEnd}::double precision),
                           to_timestamp(${periodStart}::double precision) + interval '1 month'),
                  ${amount}, ${overage}, ${outcome}, ${invoice.id}, ${url})
          on conflict (customer_id, period_start) do update set
            status = case when b.status = 'paid' then 'paid' else excluded.status end
          where b.stripe_invoice_id = excluded.stripe_invoice_id
          returning b.status`,
    );
  }
  const status = stored[0]?.status;
  if (outcome === "payment_failed" && status === "paid") return "stale";

  if (outcome === "paid") {
    await tx
      .update(customers)
      .set({
        paymentFailedAt: null,
        billingStatus: sql`case when ${customers.stripeSubscriptionId} is not null then 'active' else ${customers.billingStatus} end`,
      })
      .where(eq(customers.id, tenant.id));
    return "recorded";
  }
  if (!tenant.stripeSubscriptionId) return "recorded"; // nothing left to lose: no paid plan
  await tx
    .update(customers)
    .set({
      paymentFailedAt: sql`coalesce(${customers.paymentFailedAt}, now())`,
      billingStatus: "past_due",
    })
    .where(eq(customers.id, tenant.id));
  return tenant.paymentFailedAt ? "recorded" : "failed_newly";
}

/** What the invoice charges for overage: its lines priced with a plan's metered overage price. */
async function overageCents(tx: Tx, invoice: Stripe.Invoice): Promise<number> {
  const lines = invoice.lines?.data;
  if (!Array.isArray(lines) || lines.length === 0) return 0;
  const overagePrices = new Set(
    (
      await tx
        .select({ id: subscriptions.stripeOveragePriceId })
        .from(subscriptions)
        .where(isNotNull(subscriptions.stripeOveragePriceId))
    ).map((p) => p.id),
  );
  let cents = 0;
  for (const line of lines) {
    const price = line.pricing?.price_details?.price;
    const priceId = typeof price === "string" ? price : price?.id;
    if (priceId && overagePrices.has(priceId)) cents += line.amount ?? 0;
  }
  return cents;
}
