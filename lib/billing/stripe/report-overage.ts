import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import Stripe from "stripe";
import { config } from "@/lib/config";
import { asService, rows } from "@/lib/db/client";
import { usageEvents } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { stripeClient } from "./client";

const BATCH = 200;
/** Stripe takes meter events up to 35 days old; older ones are sent as 30 days old. */
const OLDEST_SECONDS = 30 * 86_400;

// The sweeper and the cron endpoint may both run maintenance in one process: their
// passes here run one after the other (other instances: Stripe and the row checks).
const queue = Symbol.for("pdf-answers.stripe-overage-report");
type G = typeof globalThis & { [queue]?: Promise<number> };

/**
 * Maintenance: each overage request not yet reported becomes one Stripe Billing Meter
 * event (value 1) for the tenant's Stripe customer, identified by the usage event's id, so
 * Stripe counts it once even when two runs send it; reported_at keeps it from being sent
 * again here. Only once its answer is settled (no message of it still pending): a failed
 * answer gives its request back (private.release_request) and must never be billed.
 * Stops at the first refusal (a missing meter would refuse every event) and tries again
 * on the next run. Returns how many events were reported.
 */
export function reportOverageUsage(): Promise<number> {
  const g = globalThis as G;
  const pass = (g[queue] ?? Promise.resolve(0)).catch(() => 0).then(() => reportOverageUsageOnce());
  g[queue] = pass;
  return pass;
}

async function reportOverageUsageOnce(): Promise<number> {
  const stripe = stripeClient();
  if (!stripe) return 0;
  const due = await asService("maintenance: overage usage not yet reported to Stripe", (tx) =>
    rows<{ id: string; created_at: string | Date; stripe_customer_id: string }>(
      tx,
      sql`select e.id, e.created_at, c.stripe_customer_id
          from usage_events e join customers c on c.id = e.customer_id
          where e.overage and e.reported_at is null and c.stripe_customer_id is not null
            and not exists (select 1 from messages m where m.usage_event_id = e.id and m.status = 'pending')
          order by e.created_at
          limit ${BATCH}`,
    ),
  );
  const eventName = config().STRIPE_METER_EVENT_NAME;
  let reported = 0;
  for (const e of due) {
    const created = Math.floor(new Date(e.created_at).getTime() / 1000);
    const timestamp = Math.max(created, Math.floor(Date.now() / 1000) - OLDEST_SECONDS);
    try {
      await stripe.billing.meterEvents.create({
        event_name: eventName,
        payload: { stripe_customer_id: e.stripe_customer_id, value: "1" },
        identifier: e.id,
        timestamp,
      });
    } catch (err) {
      if (!alreadyReported(err)) {
        log.warn({ err, usage_event_id: e.id }, "overage meter event not accepted; retried on the next run");
        break;
      }
    }
    await asService("maintenance: mark an overage usage event reported to Stripe", (tx) =>
      tx
        .update(usageEvents)
        .set({ reportedAt: sql`now()` })
        .where(and(eq(usageEvents.id, e.id), isNull(usageEvents.reportedAt))),
    );
    reported += 1;
  }
  return reported;
}

/** Stripe refusing an identifier it has already seen: the event was sent by an earlier run. */
function alreadyReported(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeInvalidRequestError && /already|duplicate/i.test(err.message ?? "");
}
