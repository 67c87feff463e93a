import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { daySeries, INSIGHT_DAYS, periodStart, utcDay } from "./days";

/** How long answers took on one UTC day; null figures on days without answers. */
export interface DayLatency {
  day: string;
  answers: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

interface Row {
  day: string;
  answers: number | string;
  p50: number | string | null;
  p95: number | string | null;
}

const ms = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));

/**
 * Median and 95th percentile of the time to answer (retrieval and generation, as
 * recorded on each reply) per day for the last `days` days.
 */
export async function answerLatency(
  identity: Identity,
  days = INSIGHT_DAYS,
): Promise<{ days: DayLatency[]; overall: Omit<DayLatency, "day"> }> {
  const found = await withTenant(tenantClaims(identity), (tx) =>
    rows<Row & { scope: "day" | "all" }>(
      tx,
      sql`with replies as (
            select ${utcDay(sql`created_at`)} as day, latency_ms from messages
            where direction = 'outbound' and latency_ms is not null and created_at >= ${periodStart(days)}
          ),
          per_day as (
            select day, count(*) as answers,
              percentile_cont(0.5) within group (order by latency_ms) as p50,
              percentile_cont(0.95) within group (order by latency_ms) as p95
            from replies group by day
          )
          select 'day' as scope, s.day, coalesce(p.answers, 0) as answers, p.p50, p.p95
          from (${daySeries(days)}) s left join per_day p on p.day = s.day
          union all
          select 'all', null, count(*), percentile_cont(0.5) within group (order by latency_ms),
            percentile_cont(0.95) within group (order by latency_ms)
          from replies
          order by 1 desc, 2`,
    ),
  );
  const toLatency = (r: Row): DayLatency => ({
    day: r.day,
    answers: Number(r.answers),
    p50_ms: ms(r.p50),
    p95_ms: ms(r.p95),
  });
  const all = found.find((r) => r.scope === "all");
  const overall = all
    ? { answers: Number(all.answers), p50_ms: ms(all.p50), p95_ms: ms(all.p95) }
    : { answers: 0, p50_ms: null, p95_ms: null };
  return { days: found.filter((r) => r.scope === "day").map(toLatency), overall };
}
