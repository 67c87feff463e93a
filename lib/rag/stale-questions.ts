import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";

/** An API or playground question still pending after this long lost its request. */
const STALE_AFTER = "10 minutes";

/**
 * POST /query and the playground store the question before answering it in the request;
 * when the process stops mid-answer (a deploy, a crash) the question would stay pending.
 * The maintenance ends such questions failed and gives their requests back (metering,
 * docs/billing.md). WhatsApp messages have durable jobs and never end up here.
 */
export async function failInterruptedQuestions(): Promise<number> {
  const [row] = await asService("maintenance: interrupted API questions", (tx) =>
    rows<{ failed: number }>(
      tx,
      sql`with stale as (
            update messages m set status = 'failed',
              error = 'No answer was produced: the request was interrupted. Ask again.'
            where m.status = 'pending' and m.direction = 'inbound' and m.channel in ('api', 'playground')
              and m.created_at < now() - ${STALE_AFTER}::interval
            returning m.usage_event_id
          ), released as (
            delete from usage_events e using stale s
            where e.id = s.usage_event_id and e.reported_at is null
            returning e.customer_id, e.period_start, e.overage
          ), counted as (
            update usage_counters u
            set requests = greatest(u.requests - r.n, 0), overage_requests = greatest(u.overage_requests - r.o, 0),
                updated_at = now()
            from (select customer_id, period_start, count(*)::int as n, (count(*) filter (where overage))::int as o
                  from released group by customer_id, period_start) r
            where u.customer_id = r.customer_id and u.period_start = r.period_start
            returning 1
          )
          select (select count(*) from stale)::int as failed, (select count(*) from counted)::int as counters`,
    ),
  );
  return Number(row?.failed ?? 0);
}
