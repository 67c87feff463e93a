import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { config } from "@/lib/config";
import { asService } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import { AppError, forbidden, notFound } from "@/lib/http/errors";
import { requireStripe, stripeFailure } from "./client";

/** POST /billing/checkout. */
export const checkoutSchema = z.object({ plan_id: z.uuid("must be the id of a plan") }).strict();
export type CheckoutInput = z.output<typeof checkoutSchema>;

type Plan = typeof subscriptions.$inferSelect;
type Tenant = typeof customers.$inferSelect;

const billingPage = (origin: string) => new URL("/dashboard/billing", config().APP_URL ?? origin).toString();

/**
 * Where the tenant goes to move to `plan_id`: a Stripe Checkout page for a first paid
 * plan, the Customer Portal confirming the change (or the cancellation, for a free plan)
 * when a Stripe subscription exists. The plan itself changes when Stripe's webhook says
 * the subscription changed (lib/billing/stripe/webhook.ts), never here.
 */
export async function startCheckout(
  identity: Identity,
  input: CheckoutInput,
  origin: string,
  meta: RequestMeta,
): Promise<{ url: string }> {
  const customerId = identity.customerId;
  if (!customerId) throw forbidden("This account has no workspace of its own.");
  const stripe = requireStripe();
  const { tenant, plan } = await loadTenantAndPlan(customerId, input.plan_id);
  if (tenant.subscriptionId === plan.id) {
    throw new AppError("conflict", `Your workspace is already on the ${plan.name} plan.`);
  }
  const returnUrl = billingPage(origin);
  const free = !plan.stripePriceId && plan.priceCents === 0;
  if (!plan.stripePriceId && !free) {
    throw new AppError(
      "conflict",
      `The ${plan.name} plan cannot be bought online yet (it has no Stripe price). Contact support.`,
    );
  }

  if (tenant.stripeSubscriptionId) {
    return free
      ? portalFlow(stripe, tenant, returnUrl, {
          type: "subscription_cancel",
          subscription_cancel: { subscription: tenant.stripeSubscriptionId },
        })
      : portalFlow(stripe, tenant, returnUrl, {
          type: "subscription_update_confirm",
          subscription_update_confirm: {
            subscription: tenant.stripeSubscriptionId,
            items: await changedItems(stripe, tenant.stripeSubscriptionId, plan),
          },
        });
  }

  if (free) {
    // Nothing to pay and nothing to cancel at Stripe: the move is immediate.
    await switchToFreePlan(identity, tenant, plan, meta);
    return { url: `${returnUrl}?plan=changed` };
  }

  const stripeCustomerId = await ensureStripeCustomer(stripe, tenant, identity.email);
  // A checkout finished in another tab may not have reached us yet (its webhook is on the
  // way): a second one would start a second subscription, charged as well.
  if (tenant.stripeCustomerId) await refuseIfSubscribed(stripe, tenant.stripeCustomerId);
  const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [
    { price: plan.stripePriceId as string, quantity: 1 },
  ];
  // A metered price takes no quantity: the overage meter decides what is billed.
  if (plan.stripeOveragePriceId) lineItems.push({ price: plan.stripeOveragePriceId });
  const metadata = { customer_id: tenant.id, plan_id: plan.id };
  try {
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer: stripeCustomerId,
      client_reference_id: tenant.id,
      line_items: lineItems,
      metadata,
      subscription_data: { metadata },
      success_url: `${returnUrl}?checkout=success`,
      cancel_url: `${returnUrl}?checkout=canceled`,
    });
    if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
    return { url: session.url };
  } catch (err) {
    throw stripeFailure(err, "start the checkout");
  }
}

async function refuseIfSubscribed(stripe: Stripe, stripeCustomerId: string): Promise<void> {
  let live: Stripe.Subscription[];
  try {
    const found = await stripe.subscriptions.list({ customer: stripeCustomerId, status: "all", limit: 20 });
    live = found.data.filter((sub) => ["active", "trialing", "past_due", "unpaid", "incomplete"].includes(sub.status));
  } catch (err) {
    throw stripeFailure(err, "check the workspace's subscriptions");
  }
  if (live.length > 0) {
    throw new AppError(
      "conflict",
      "This workspace already has a Stripe subscription (it may take a minute to show here). Change its plan from this page once it does, or manage it in the billing portal.",
    );
  }
}

/** POST /billing/portal: Stripe's Customer Portal (payment method, invoices, cancellation). */
export async function openPortal(identity: Identity, origin: string): Promise<{ url: string }> {
  const customerId = identity.customerId;
  if (!customerId) throw forbidden("This account has no workspace of its own.");
  const stripe = requireStripe();
  const [tenant] = await asService("billing: the caller's own Stripe customer", (tx) =>
    tx.select().from(customers).where(eq(customers.id, customerId)),
  );
  if (!tenant) throw notFound("Customer");
  if (!tenant.stripeCustomerId) {
    throw new AppError("conflict", "There is no billing account for this workspace yet: choose a paid plan first.");
  }
  return portalFlow(stripe, tenant, billingPage(origin), undefined);
}

async function loadTenantAndPlan(customerId: string, planId: string): Promise<{ tenant: Tenant; plan: Plan }> {
  return asService("billing: the caller's own workspace and the plan it asks for", async (tx) => {
    const [tenant] = await tx.select().from(customers).where(eq(customers.id, customerId));
    if (!tenant) throw notFound("Customer");
    const [plan] = await tx.select().from(subscriptions).where(eq(subscriptions.id, planId));
    if (!plan) throw notFound("Plan");
    return { tenant, plan };
  });
}

async function portalFlow(
  stripe: Stripe,
  tenant: Tenant,
  returnUrl: string,
  flow: Stripe.BillingPortal.SessionCreateParams.FlowData | undefined,
): Promise<{ url: string }> {
  try {
    const session = await stripe.billingPortal.sessions.create({
      customer: tenant.stripeCustomerId as string,
      return_url: returnUrl,
      ...(flow
        ? { flow_data: { ...flow, after_completion: { type: "redirect", redirect: { return_url: returnUrl } } } }
        : {}),
    });
    return { url: session.url };
  } catch (err) {
    throw stripeFailure(err, "open the billing portal");
  }
}

/** The subscription's items moved to the plan's prices: the licensed one, and the metered one when both exist. */
async function changedItems(
  stripe: Stripe,
  subscriptionId: string,
  plan: Plan,
): Promise<Stripe.BillingPortal.SessionCreateParams.FlowData.SubscriptionUpdateConfirm.Item[]> {
  let current: Stripe.Subscription;
  try {
    current = await stripe.subscriptions.retrieve(subscriptionId);
  } catch (err) {
    throw stripeFailure(err, "read the current subscription");
  }
  const items = current.items?.data ?? [];
  const metered = items.find((i) => i.price?.recurring?.usage_type === "metered");
  const licensed = items.find((i) => i !== metered) ?? items[0];
  if (!licensed) throw new AppError("conflict", "The Stripe subscription has no items to change. Contact support.");
  const changed: Stripe.BillingPortal.SessionCreateParams.FlowData.SubscriptionUpdateConfirm.Item[] = [
    { id: licensed.id, price: plan.stripePriceId as string, quantity: 1 },
  ];
  if (metered && plan.stripeOveragePriceId) changed.push({ id: metered.id, price: plan.stripeOveragePriceId });
  return changed;
}

/**
 * The tenant's Stripe customer, created on its first checkout. The idempotency key makes
 * a double click create one customer; the conditional update keeps the first one stored.
 */
async function ensureStripeCustomer(stripe: Stripe, tenant: Tenant, email: string): Promise<string> {
  if (tenant.stripeCustomerId) return tenant.stripeCustomerId;
  let created: Stripe.Customer;
  try {
    created = await stripe.customers.create(
      { name: tenant.name, email, metadata: { customer_id: tenant.id } },
      { idempotencyKey: `pdf-answers-customer-${tenant.id}` },
    );
  } catch (err) {
    throw stripeFailure(err, "create the billing account");
  }
  return asService("billing: store the tenant's new Stripe customer id", async (tx) => {
    const [stored] = await tx
      .update(customers)
      .set({ stripeCustomerId: created.id })
      .where(and(eq(customers.id, tenant.id), isNull(customers.stripeCustomerId)))
      .returning({ id: customers.stripeCustomerId });
    if (stored?.id) return stored.id;
    const [again] = await tx
      .select({ id: customers.stripeCustomerId })
      .from(customers)
      .where(eq(customers.id, tenant.id));
    return again?.id ?? created.id;
  });
}

async function switchToFreePlan(identity: Identity, tenant: Tenant, plan: Plan, meta: RequestMeta): Promise<void> {
  await asService("billing: the caller moves its own workspace to a free plan", async (tx) => {
    await tx.update(customers).set({ subscriptionId: plan.id }).where(eq(customers.id, tenant.id));
    await recordAudit(tx, {
      action: "billing.plan_changed",
      actor: identity,
      customerId: tenant.id,
      targetType: "plan",
      targetId: plan.id,
      meta,
      metadata: { from_plan_id: tenant.subscriptionId, to_plan_id: plan.id, by: "tenant" },
    });
  });
}
