import "server-only";
import { eq, inArray } from "drizzle-orm";
import type Stripe from "stripe";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Tx } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import { AppError } from "@/lib/http/errors";
import { log } from "@/lib/log";
import { isStripeMissing } from "./client";

export type Tenant = typeof customers.$inferSelect;

/** Stripe statuses whose subscription still pays for a plan. */
const LIVE = new Set<Stripe.Subscription.Status>(["active", "trialing", "past_due", "unpaid"]);

/**
 * Applies the subscription's current state, read back from Stripe (`sub`, null when
 * Stripe no longer has it), to the tenant whose row the caller has locked. Events arrive
 * late, twice and out of order: whatever the event said, the state Stripe reports now
 * decides, so the last event processed always leaves the plan Stripe bills. A
 * subscription that is not the tenant's (an old one ending after a new one started)
 * changes nothing unless it is live.
 */
export async function syncSubscription(
  tx: Tx,
  tenant: Tenant,
  subscriptionId: string,
  sub: Stripe.Subscription | null,
  cause: { eventId: string; eventType: string },
): Promise<void> {
  const status = sub?.status ?? "canceled";
  const isCurrent = tenant.stripeSubscriptionId === subscriptionId;
  const live = LIVE.has(status);
  if (!isCurrent && !live) return; // an ended or unpaid-at-start subscription that is not the tenant's
  if (status === "incomplete") return; // the first payment is still being made: nothing to apply yet

  if (live && sub) {
    const plan = await planOfSubscription(tx, sub);
    const pastDue = status === "past_due" || status === "unpaid";
    await tx
      .update(customers)
      .set({
        stripeSubscriptionId: sub.id,
        stripeCustomerId: tenant.stripeCustomerId ?? customerIdOf(sub),
        billingStatus: pastDue ? "past_due" : "active",
        paymentFailedAt: pastDue ? (tenant.paymentFailedAt ?? new Date().toISOString()) : null,
        ...(plan ? { subscriptionId: plan.id } : {}),
      })
      .where(eq(customers.id, tenant.id));
    if (!plan) {
      log.warn(
        { tenant_id: tenant.id, subscription: sub.id, prices: priceIdsOf(sub) },
        "stripe subscription matches no plan's stripe_price_id: plan left unchanged",
      );
    } else if (plan.id !== tenant.subscriptionId) {
      await auditPlanChange(tx, tenant, plan.id, { ...cause, subscription: sub.id, status });
    }
    return;
  }

  // The tenant's own subscription ended (canceled, expired, paused or gone): the default plan.
  const ended = status === "paused" ? { stripeSubscriptionId: subscriptionId } : { stripeSubscriptionId: null };
  const fallback = await defaultPlanId(tx);
  await tx
    .update(customers)
    .set({
      ...ended,
      billingStatus: "canceled",
      paymentFailedAt: null,
      ...(fallback ? { subscriptionId: fallback } : {}),
    })
    .where(eq(customers.id, tenant.id));
  if (fallback && fallback !== tenant.subscriptionId) {
    await auditPlanChange(tx, tenant, fallback, { ...cause, subscription: subscriptionId, status });
  }
}

/**
 * The subscription as Stripe holds it now; null when Stripe has no such subscription.
 * Read before the event's transaction opens, so no database lock waits on Stripe.
 */
export async function retrieveSubscription(stripe: Stripe, id: string): Promise<Stripe.Subscription | null> {
  try {
    return await stripe.subscriptions.retrieve(id);
  } catch (err) {
    if (isStripeMissing(err)) return null;
    log.warn({ err, subscription: id }, "stripe subscription could not be read back");
    // Not marked processed: Stripe delivers the event again later.
    throw new AppError("service_unavailable", "Stripe could not be reached to read the subscription. Retry later.");
  }
}

const customerIdOf = (sub: Stripe.Subscription) =>
  typeof sub.customer === "string" ? sub.customer : (sub.customer?.id ?? null);

const priceIdsOf = (sub: Stripe.Subscription) =>
  (sub.items?.data ?? []).map((i) => (typeof i.price === "string" ? i.price : i.price?.id)).filter(Boolean) as string[];

/** The plan whose licensed Stripe price is one of the subscription's items. */
async function planOfSubscription(tx: Tx, sub: Stripe.Subscription) {
  const prices = priceIdsOf(sub);
  if (prices.length === 0) return null;
  const [plan] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(inArray(subscriptions.stripePriceId, prices))
    .limit(1);
  return plan ?? null;
}

export async function defaultPlanId(tx: Tx): Promise<string | null> {
  const [plan] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.isDefault, true))
    .limit(1);
  return plan?.id ?? null;
}

async function auditPlanChange(
  tx: Tx,
  tenant: Tenant,
  toPlanId: string,
  details: { eventId: string; eventType: string; subscription: string; status: string },
) {
  await recordAudit(tx, {
    action: "billing.plan_changed",
    actor: null,
    customerId: tenant.id,
    targetType: "plan",
    targetId: toPlanId,
    meta: null,
    metadata: {
      by: "stripe",
      from_plan_id: tenant.subscriptionId,
      to_plan_id: toPlanId,
      stripe_subscription_id: details.subscription,
      stripe_status: details.status,
      stripe_event_id: details.eventId,
      stripe_event_type: details.eventType,
    },
  });
}
