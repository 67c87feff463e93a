import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";

/** One question the documents could not answer, however often and however it was typed. */
export interface UnansweredQuestion {
  /**
   * Lower case, spaces collapsed, punctuation at either end dropped ("¿Do you ship?!" and
   * "do you  ship" are one question): what groups the askings. Character classes
   * are spelled out for the common non-ASCII marks, since [:punct:] follows the
   * database's locale.
   */
  normalized: string;
  /** The latest wording a customer used. */
  example: string;
  times_asked: number;
  last_asked_at: string;
}

interface Row {
  normalized: string;
  example: string;
  times_asked: number | string;
  last_asked_at: string | Date;
  groups: number | string;
}

/**
 * The questions recorded as unanswered (the documents did not cover them) in the last
 * `days` days, grouped by their normalized text, the most asked first: what a tenant
 * should add a document about.
 */
export async function unansweredQuestions(
  identity: Identity,
  opts: { days?: number; limit?: number } = {},
): Promise<{ items: UnansweredQuestion[]; total_groups: number }> {
  const days = opts.days ?? 90;
  const limit = opts.limit ?? 20;
  const found = await withTenant(tenantClaims(identity), (tx) =>
    rows<Row>(
      tx,
      sql`with asked as (
            select content, created_at,
              lower(regexp_replace(regexp_replace(content, '[[:space:]]+', ' ', 'g'),
                '^[[:space:][:punct:]¿¡«»“”‘’…]+|[[:space:][:punct:]¿¡«»“”‘’…]+$', '', 'g')) as normalized
            from messages
            where direction = 'inbound' and status = 'unanswered'
              and created_at >= now() - make_interval(days => ${days}::int)
          ),
          grouped as (
            select normalized, count(*) as times_asked, max(created_at) as last_asked_at,
              (array_agg(content order by created_at desc))[1] as example
            from asked where normalized <> '' group by normalized
          )
          select g.*, count(*) over () as groups from grouped g
          order by times_asked desc, last_asked_at desc, normalized
          limit ${limit}::int`,
    ),
  );
  return {
    items: found.map((r) => ({
      normalized: r.normalized,
      example: r.example.replace(/\s+/g, " ").trim(),
      times_asked: Number(r.times_asked),
      last_asked_at: new Date(r.last_asked_at).toISOString(),
    })),
    total_groups: Number(found[0]?.groups ?? 0),
  };
}
