import "server-only";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config";
import { asService, rows, type Tx } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { isStripeMissing, stripeClient } from "./client";
import { defaultPlanId, retrieveSubscription } from "./subscription-sync";

const BATCH = 50;

// The sweeper and the cron endpoint may both run maintenance in one process: their
// passes here run one after the other (other instances: Stripe and the row checks).
const queue = Symbol.for("pdf-answers.stripe-grace-period");
type G = typeof globalThis & { [queue]?: Promise<number> };

/**
 * Maintenance: a tenant whose payment failed PAYMENT_GRACE_SECONDS ago and was never
 * paid since moves to the default (Free) plan; its Stripe subscription is canceled so
 * Stripe stops retrying the charge. One tenant's Stripe failure skips that tenant until
 * the next run, never the others. Returns how many tenants moved.
 */
export function endExpiredGracePeriods(): Promise<number> {
  const g = globalThis as G;
  const pass = (g[queue] ?? Promise.resolve(0)).catch(() => 0).then(() => endExpiredGracePeriodsOnce());
  g[queue] = pass;
  return pass;
}

async function endExpiredGracePeriodsOnce(): Promise<number> {
  const grace = config().PAYMENT_GRACE_SECONDS;
  const due = await asService("maintenance: tenants whose payment grace period ended", (tx) =>
    rows<{ id: string }>(
      tx,
      sql`select id from customers
          where payment_failed_at is not null and payment_failed_at < now() - make_interval(secs => ${grace}::double precision)
          order by payment_failed_at limit ${BATCH}`,
    ),
  );
  let moved = 0;
  for (const { id } of due) {
    try {
      if (await endGracePeriod(id, grace)) moved += 1;
    } catch (err) {
      log.warn({ err, tenant_id: id }, "grace period end failed; retried on the next maintenance run");
    }
  }
  return moved;
}

async function endGracePeriod(customerId: string, grace: number): Promise<boolean> {
  const stillDue = (tx: Tx) =>
    tx
      .select()
      .from(customers)
      .where(
        and(
          eq(customers.id, customerId),
          isNotNull(customers.paymentFailedAt),
          sql`${customers.paymentFailedAt} < now() - make_interval(secs => ${grace}::double precision)`,
        ),
      );
  const [due] = await asService("maintenance: is the tenant's grace period still over", (tx) => stillDue(tx));
  if (!due) return false; // paid meanwhile
  // Stripe first, outside any transaction (no lock waits on Stripe): it stops charging.
  const stripe = stripeClient();
  if (stripe && due.stripeSubscriptionId) {
    // The invoice.paid event may be late (Stripe retries webhooks for days): ask Stripe first.
    const current = await retrieveSubscription(stripe, due.stripeSubscriptionId);
    if (current && (current.status === "active" || current.status === "trialing")) {
      await asService("maintenance: a late payment ends the grace period", (tx) =>
        tx
          .update(customers)
          .set({ paymentFailedAt: null, billingStatus: "active" })
          .where(eq(customers.id, customerId)),
      );
      return false;
    }
    try {
      await stripe.subscriptions.cancel(due.stripeSubscriptionId);
    } catch (err) {
      // Already gone at Stripe: nothing left to cancel. Anything else: the next run.
      if (!isStripeMissing(err)) throw err;
    }
  }
  return asService("maintenance: move a tenant whose payment grace period ended to the default plan", async (tx) => {
    const [tenant] = await stillDue(tx).for("update", { skipLocked: true });
    if (!tenant) return false; // another instance is on it
    const fallback = await defaultPlanId(tx);
    await tx
      .update(customers)
      .set({
        billingStatus: "canceled",
        paymentFailedAt: null,
        stripeSubscriptionId: null,
        ...(fallback ? { subscriptionId: fallback } : {}),
      })
      .where(eq(customers.id, tenant.id));
    await recordAudit(tx, {
      action: "billing.grace_expired",
      actor: null,
      customerId: tenant.id,
      targetType: "plan",
      targetId: fallback ?? tenant.subscriptionId,
      meta: null,
      metadata: {
        by: "maintenance",
        from_plan_id: tenant.subscriptionId,
        to_plan_id: fallback ?? tenant.subscriptionId,
        payment_failed_at: tenant.paymentFailedAt,
        stripe_subscription_id: tenant.stripeSubscriptionId,
        grace_seconds: grace,
      },
    });
    return true;
  });
}
