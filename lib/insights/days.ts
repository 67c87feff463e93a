import { type SQL, sql } from "drizzle-orm";

/** Insights cover whole UTC days: today and the days before it. */
export const INSIGHT_DAYS = 30;

/** Midnight UTC at the start of the first of the last `days` days. */
export const periodStart = (days: number): SQL =>
  sql`(((now() at time zone 'UTC')::date - ${days - 1}::int)::timestamp at time zone 'UTC')`;

/** One row per day of the period ("YYYY-MM-DD"), oldest first, to left-join the figures to. */
export const daySeries = (days: number): SQL =>
  sql`select to_char(d, 'YYYY-MM-DD') as day
      from generate_series(((now() at time zone 'UTC')::date - ${days - 1}::int)::timestamp,
        (now() at time zone 'UTC')::date::timestamp, interval '1 day') d`;

/** The UTC day of a timestamp column, in the series' format. */
export const utcDay = (column: SQL): SQL => sql`to_char((${column} at time zone 'UTC')::date, 'YYYY-MM-DD')`;
