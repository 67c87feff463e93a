import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";

/**
 * How many ended periods a tenant's close reaches back: the job runs every minute, so
 * this only matters after a long outage or for tenants older than billing itself.
 */
export const CATCH_UP_PERIODS = 3;

/**
 * Closes ended billing periods (calendar months, UTC): one billing record per tenant and
 * period it existed in, with the requests it used (usage_counters; 0 without a row), the
 * price of its plan at close (amount_cents) and, on a plan that allows overage, the
 * requests past the limit at the plan's overage price (overage_cents). A record that
 * owes something starts 'open' (Stripe's invoice, when there is one, later makes it
 * paid or payment_failed); one that owes nothing is 'paid'.
 *
 * Run by the maintenance every minute, so it is cheap when nothing is due: one pass over
 * the tenants checks each one's last ended period with two index look-ups and writes
 * nothing. Idempotent: a record is written again only when its request count no longer
 * matches the counter (a request given back after the period ended), and Stripe's
 * webhook owns what it wrote: with a Stripe invoice attached (or once paid or void) the
 * amounts and status stay as they are; a paid record is never reopened. Tenants being
 * deleted are skipped (their records go with them).
 */
export async function closeBillingPeriods(opts: { now?: Date } = {}): Promise<{ closed: number; updated: number }> {
  const now = (opts.now ?? new Date()).toISOString();
  const written = await asService("maintenance: close ended billing periods", (tx) =>
    rows<{ inserted: boolean }>(
      tx,
      // Month arithmetic runs on UTC wall-clock timestamps, never in the session's time zone.
      sql`with clock as (
            select date_trunc('month', ${now}::timestamptz at time zone 'UTC') as cur
          ),
          behind as (
            select c.id, c.subscription_id, c.created_at
            from customers c, clock
            where c.status <> 'pending_deletion'
              and c.created_at < clock.cur at time zone 'UTC'
              and not exists (
                select 1 from billing_records b
                where b.customer_id = c.id
                  and b.period_start = (clock.cur - interval '1 month') at time zone 'UTC'
                  and b.requests_used = coalesce((select u.requests from usage_counters u
                    where u.customer_id = c.id and u.period_start = b.period_start), 0))
          ),
          due as (
            select t.id as customer_id, t.subscription_id as current_plan,
                   g.p at time zone 'UTC' as period_start, (g.p + interval '1 month') at time zone 'UTC' as period_end
            from behind t, clock,
              generate_series(
                greatest(date_trunc('month', t.created_at at time zone 'UTC'),
                         clock.cur - make_interval(months => ${CATCH_UP_PERIODS}::int)),
                clock.cur - interval '1 month', interval '1 month') as g(p)
          ),
          figures as (
            select d.customer_id, d.period_start, d.period_end, p.id as subscription_id,
                   coalesce(u.requests, 0) as requests_used, p.price_cents as amount_cents,
                   case when p.overage_allowed then coalesce(u.overage_requests, 0) * p.overage_price_cents
                        else 0 end as overage_cents
            from due d
            left join billing_records b on b.customer_id = d.customer_id and b.period_start = d.period_start
            left join usage_counters u on u.customer_id = d.customer_id and u.period_start = d.period_start
            join subscriptions p on p.id = coalesce(b.subscription_id, d.current_plan)
            where b.id is null or b.requests_used <> coalesce(u.requests, 0)
          )
          insert into billing_records as b
            (customer_id, subscription_id, period_start, period_end, requests_used, amount_cents, overage_cents, status)
          select customer_id, subscription_id, period_start, period_end, requests_used, amount_cents, overage_cents,
                 case when amount_cents + overage_cents > 0 then 'open' else 'paid' end
          from figures
          on conflict (customer_id, period_start) do update set
            requests_used = excluded.requests_used,
            subscription_id = coalesce(b.subscription_id, excluded.subscription_id),
            amount_cents = case when b.stripe_invoice_id is null and b.status in ('open', 'draft')
                                then excluded.amount_cents else b.amount_cents end,
            overage_cents = case when b.stripe_invoice_id is null and b.status in ('open', 'draft')
                                 then excluded.overage_cents else b.overage_cents end,
            status = case when b.stripe_invoice_id is null and b.status in ('open', 'draft')
                               and excluded.amount_cents + excluded.overage_cents = 0
                          then 'paid' else b.status end
          returning (xmax = 0) as inserted`,
    ),
  );
  const closed = written.filter((w) => w.inserted).length;
  return { closed, updated: written.length - closed };
}
