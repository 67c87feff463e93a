import "server-only";
import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config";
import { asService, rows, type Tx } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";
import { AppError } from "@/lib/http/errors";
import { log } from "@/lib/log";
import { stripeClient } from "./client";
import { recordInvoice } from "./invoice-events";
import { retrieveSubscription, syncSubscription, type Tenant } from "./subscription-sync";

/** The events the endpoint acts on (docs/billing.md lists them for the Stripe dashboard). */
export const HANDLED_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;
const handled = new Set<string>(HANDLED_EVENTS);

export type WebhookOutcome = { received: true; event_id: string; outcome: "processed" | "duplicate" | "ignored" };

/**
 * POST /billing/stripe-webhook. The signature is checked on the raw body before anything
 * is read from it; a bad one changes nothing. Each event id is recorded in
 * private.stripe_events in the same transaction as its effects, so a replay (or Stripe's
 * own redelivery) changes nothing, and an event whose processing failed (Stripe
 * unreachable: 503) is not recorded and comes again.
 */
export async function handleStripeWebhook(rawBody: string, signature: string | null): Promise<WebhookOutcome> {
  if (!signature) throw new AppError("invalid_signature", "The Stripe-Signature header is missing.");
  const secret = config().STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    throw new AppError("service_unavailable", "Stripe webhooks are not configured: STRIPE_WEBHOOK_SECRET is not set.");
  }
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signature, secret);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "stripe webhook signature refused");
    throw new AppError(
      "invalid_signature",
      "The Stripe signature does not match this body, or it is too old. Nothing was changed.",
    );
  }
  if (!handled.has(event.type)) return { received: true, event_id: event.id, outcome: "ignored" };
  // Subscription state comes from Stripe itself, read before any row is locked.
  const subscriptionId = subscriptionOf(event);
  const current = subscriptionId ? await retrieveSubscription(needStripe(stripeClient()), subscriptionId) : null;
  const outcome = await asService("stripe webhook: a verified event", async (tx) => {
    const fresh = await rows<{ id: string }>(
      tx,
      sql`insert into private.stripe_events (id, type) values (${event.id}, ${event.type})
          on conflict (id) do nothing returning id`,
    );
    if (fresh.length === 0) return { received: true, event_id: event.id, outcome: "duplicate" } as const;
    await applyEvent(tx, event, current);
    return { received: true, event_id: event.id, outcome: "processed" } as const;
  });
  // Two events of one subscription processed at once may commit in either order, each with
  // what Stripe said when it asked. Ask again after committing: if Stripe has moved on, apply
  // its state now, so the last write always follows the latest read.
  if (subscriptionId && outcome.outcome === "processed") {
    let applied = current;
    for (let round = 0; round < 2; round++) {
      const again = await retrieveSubscription(needStripe(stripeClient()), subscriptionId).catch(() => applied);
      if (sameState(again, applied)) break;
      await asService("stripe webhook: Stripe's newer subscription state", (tx) => applyEvent(tx, event, again));
      applied = again;
    }
  }
  return outcome;
}

/** Whether two reads of a subscription would set the same plan and billing state. */
function sameState(a: Stripe.Subscription | null, b: Stripe.Subscription | null): boolean {
  const key = (s: Stripe.Subscription | null) =>
    s
      ? JSON.stringify([
          s.status,
          (s.items?.data ?? []).map((i) => (typeof i.price === "string" ? i.price : i.price?.id)).sort(),
        ])
      : "none";
  return key(a) === key(b);
}

/** The subscription a checkout or subscription event is about. */
function subscriptionOf(event: Stripe.Event): string | null {
  if (event.type === "checkout.session.completed") {
    return event.data.object.mode === "subscription" ? idOf(event.data.object.subscription) : null;
  }
  if (event.type.startsWith("customer.subscription.")) return (event.data.object as Stripe.Subscription).id;
  return null;
}

async function applyEvent(tx: Tx, event: Stripe.Event, current: Stripe.Subscription | null): Promise<void> {
  const cause = { eventId: event.id, eventType: event.type };
  switch (event.type) {
    case "checkout.session.completed": {
      const session = event.data.object;
      if (session.mode !== "subscription") return;
      const tenant = await lockTenant(tx, {
        tenantId: session.client_reference_id ?? session.metadata?.customer_id,
        stripeCustomerId: idOf(session.customer),
      });
      if (!tenant) return ignore(event, "no tenant for this checkout");
      const stripeCustomerId = idOf(session.customer);
      if (!tenant.stripeCustomerId && stripeCustomerId) {
        await tx.update(customers).set({ stripeCustomerId }).where(eq(customers.id, tenant.id));
        tenant.stripeCustomerId = stripeCustomerId;
      }
      const subscriptionId = idOf(session.subscription);
      if (subscriptionId) await syncSubscription(tx, tenant, subscriptionId, current, cause);
      return;
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const sub = event.data.object;
      const tenant = await lockTenant(tx, {
        stripeCustomerId: idOf(sub.customer),
        tenantId: sub.metadata?.customer_id,
      });
      if (!tenant) return ignore(event, "no tenant for this subscription");
      await syncSubscription(tx, tenant, sub.id, current, cause);
      return;
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      const invoice = event.data.object;
      const tenant = await lockTenant(tx, {
        stripeCustomerId: idOf(invoice.customer),
        tenantId: invoice.parent?.subscription_details?.metadata?.customer_id,
      });
      if (!tenant) return ignore(event, "no tenant for this invoice");
      const outcome = await recordInvoice(
        tx,
        tenant,
        invoice,
        event.type === "invoice.paid" ? "paid" : "payment_failed",
      );
      if (outcome === "failed_newly") {
        await recordAudit(tx, {
          action: "billing.payment_failed",
          actor: null,
          customerId: tenant.id,
          targetType: "invoice",
          targetId: invoice.id,
          meta: null,
          metadata: { by: "stripe", stripe_event_id: event.id, grace_seconds: config().PAYMENT_GRACE_SECONDS },
        });
      }
      return;
    }
    default:
      return;
  }
}

function needStripe(stripe: Stripe | null): Stripe {
  if (!stripe) {
    // The subscription must be read back from Stripe: without a key, Stripe retries later.
    throw new AppError("service_unavailable", "STRIPE_SECRET_KEY is not set: the subscription cannot be read back.");
  }
  return stripe;
}

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  typeof v === "string" ? v : (v?.id ?? null);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant an event is about, locked so events of one tenant apply one at a time. */
async function lockTenant(
  tx: Tx,
  by: { stripeCustomerId?: string | null; tenantId?: string | null },
): Promise<Tenant | null> {
  if (by.stripeCustomerId) {
    const [row] = await tx
      .select()
      .from(customers)
      .where(eq(customers.stripeCustomerId, by.stripeCustomerId))
      .for("update");
    if (row) return row;
  }
  if (by.tenantId && UUID.test(by.tenantId)) {
    const [row] = await tx.select().from(customers).where(eq(customers.id, by.tenantId)).for("update");
    // A tenant already linked to another Stripe customer is not this event's.
    if (row && (!row.stripeCustomerId || !by.stripeCustomerId || row.stripeCustomerId === by.stripeCustomerId)) {
      return row;
    }
  }
  return null;
}

function ignore(event: Stripe.Event, why: string): void {
  log.info({ stripe_event_id: event.id, type: event.type, why }, "stripe event ignored");
}
