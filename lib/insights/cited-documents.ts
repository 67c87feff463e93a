import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { INSIGHT_DAYS, periodStart } from "./days";

/** A document the answers drew on, and how often. */
export interface CitedDocument {
  document_id: string;
  filename: string;
  /** Answers citing it at least once. */
  answers: number;
  /** Its most cited pages, most cited first (at most 5). */
  top_pages: number[];
  last_cited_at: string;
  /** False once the document was deleted (its name is the one the answers recorded). */
  still_uploaded: boolean;
}

interface Row {
  document_id: string;
  filename: string;
  answers: number | string;
  top_pages: number[] | string | null;
  last_cited_at: string | Date;
  still_uploaded: boolean;
}

/**
 * The documents most cited by the answers of the last `days` days, from the sources
 * recorded on each reply.
 */
export async function citedDocuments(
  identity: Identity,
  opts: { days?: number; limit?: number } = {},
): Promise<CitedDocument[]> {
  const days = opts.days ?? INSIGHT_DAYS;
  const limit = opts.limit ?? 10;
  const found = await withTenant(tenantClaims(identity), (tx) =>
    rows<Row>(
      tx,
      sql`with cited as (
            select m.id as message_id, m.created_at, s ->> 'document_id' as document_id, s ->> 'filename' as filename,
              case when jsonb_typeof(s -> 'page') = 'number' then (s ->> 'page')::int end as page
            from messages m
            cross join lateral jsonb_array_elements(
              case when jsonb_typeof(m.sources) = 'array' then m.sources else '[]'::jsonb end) s
            where m.direction = 'outbound' and m.created_at >= ${periodStart(days)}
              and jsonb_typeof(s) = 'object' and s ->> 'document_id' is not null
          ),
          per_document as (
            select document_id, (array_agg(filename order by created_at desc))[1] as filename,
              count(distinct message_id) as answers, max(created_at) as last_cited_at
            from cited group by document_id
          ),
          per_page as (
            select document_id, page, row_number() over (partition by document_id order by count(*) desc, page) as rank
            from cited where page is not null group by document_id, page
          )
          select d.document_id, d.filename, d.answers, d.last_cited_at,
            (select array_agg(p.page order by p.rank) from per_page p where p.document_id = d.document_id and p.rank <= 5)
              as top_pages,
            exists (select 1 from documents doc where doc.id::text = d.document_id) as still_uploaded
          from per_document d
          order by d.answers desc, d.last_cited_at desc
          limit ${limit}::int`,
    ),
  );
  return found.map((r) => ({
    document_id: r.document_id,
    filename: r.filename,
    answers: Number(r.answers),
    top_pages: pageList(r.top_pages),
    last_cited_at: new Date(r.last_cited_at).toISOString(),
    still_uploaded: Boolean(r.still_uploaded),
  }));
}

/** An int[] as the driver hands it over: an array, or Postgres' "{2,5}" text. */
function pageList(value: Row["top_pages"]): number[] {
  if (value === null) return [];
  const list = typeof value === "string" ? value.replace(/[{}]/g, "").split(",").filter(Boolean) : value;
  return list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}
