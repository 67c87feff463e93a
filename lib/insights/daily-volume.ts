import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { daySeries, INSIGHT_DAYS, periodStart, utcDay } from "./days";

/** Customers' messages per UTC day and what became of them. */
export interface DayVolume {
  day: string;
  received: number;
  answered: number;
  unanswered: number;
  failed: number;
  /** Still being answered, or refused by the plan's limit. */
  other: number;
}

export interface VolumeTotals {
  received: number;
  answered: number;
  unanswered: number;
  failed: number;
  other: number;
}

type Row = { [K in keyof DayVolume]: K extends "day" ? string : number | string };

/**
 * Incoming messages of every channel (WhatsApp, API, playground, simulator) per day for
 * the last `days` days, days without messages included. Row-level security scopes it.
 */
export async function dailyVolume(
  identity: Identity,
  days = INSIGHT_DAYS,
): Promise<{ days: DayVolume[]; totals: VolumeTotals }> {
  const found = await withTenant(tenantClaims(identity), (tx) =>
    rows<Row>(
      tx,
      sql`with counted as (
            select ${utcDay(sql`created_at`)} as day,
              count(*) as received,
              count(*) filter (where status = 'answered') as answered,
              count(*) filter (where status = 'unanswered') as unanswered,
              count(*) filter (where status = 'failed') as failed
            from messages
            where direction = 'inbound' and created_at >= ${periodStart(days)}
            group by 1
          )
          select s.day, coalesce(c.received, 0) as received, coalesce(c.answered, 0) as answered,
            coalesce(c.unanswered, 0) as unanswered, coalesce(c.failed, 0) as failed
          from (${daySeries(days)}) s
          left join counted c on c.day = s.day
          order by s.day`,
    ),
  );
  const list = found.map((r): DayVolume => {
    const [received, answered, unanswered, failed] = [r.received, r.answered, r.unanswered, r.failed].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    return { day: r.day, received, answered, unanswered, failed, other: received - answered - unanswered - failed };
  });
  const totals: VolumeTotals = { received: 0, answered: 0, unanswered: 0, failed: 0, other: 0 };
  for (const d of list) {
    totals.received += d.received;
    totals.answered += d.answered;
    totals.unanswered += d.unanswered;
    totals.failed += d.failed;
    totals.other += d.other;
  }
  return { days: list, totals };
}
