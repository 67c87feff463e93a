-- Why: full-text search for large tenants. Under row-level security Postgres may not use
-- the GIN index on document_chunks.fts: `@@` (ts_match_vq) is not leakproof, so it is
-- evaluated only after the policy, on every one of the tenant's chunks, and every chunk
-- containing any word of the question is then ranked. `npm run bench:retrieval` (200,000
-- chunks; tenants of 20,000-26,000 chunks): about 30 ms of the statement's 38-57 ms, the
-- only part above the 20 ms target (docs/retrieval.md).
--
-- private.text_candidates serves tenants above a size (lib/rag/retrieve-passages.ts;
-- smaller ones keep the plain statement, which is cheaper for them). It names the tenant
-- itself (private.customer_id(), from the transaction's claims, exactly what the
-- policies use) and runs as service_role, so the planner may use the GIN index. It
-- returns ids and ranks only: the caller reads the passages under row-level security.
-- Two tiers, best first, each ranking at most max_ranked chunks:
--   1. chunks with every word of the question (websearch syntax), through the GIN index
--      (an AND of posting lists: a few ms whatever the tenant's size), by proximity
--      (ts_rank_cd), then by the any-word rank;
--   2. only if fewer than k: chunks with any content word, by ts_rank, taken from the
--      tenant's rows (document_chunks_customer: the GIN posting lists of common words
--      span every tenant and cost more than the tenant's own rows) and ranked among the
--      first max_ranked that match.
-- The order is the one the single ranking gave (all words first); only the second tier's
-- candidates are bounded, where a question shares a common word with thousands of chunks.

create or replace function private.text_candidates(
  q_all tsquery,
  q_any tsquery,
  k integer,
  max_ranked integer
)
returns table (id uuid, tier integer, rank_all real, rank_any real)
language plpgsql stable
security definer
-- No sequential scan of every tenant's chunks: the tenant's rows come from its index.
set enable_seqscan = off
set search_path = public, pg_temp
as $$
declare
  tenant uuid := private.customer_id();
  has_all boolean := q_all is not null and numnode(q_all) > 0;
  n integer := 0;
begin
  if tenant is null or q_any is null or k < 1 then
    return;
  end if;

  -- The tenant is formatted in as a constant (not a parameter), so each call is planned
  -- for it.
  if has_all then
    return query execute format(
      'select c.id, 1, ts_rank_cd(c.fts, $1, 1), ts_rank(c.fts, $2, 1)
         from (select d.id, d.fts from public.document_chunks d
                where d.customer_id = %L and d.fts @@ $1 limit $4) c
        order by 3 desc, 4 desc, c.id
        limit $3', tenant)
      using q_all, q_any, k, max_ranked;
    get diagnostics n = row_count;
    if n >= k then
      return;
    end if;
  end if;

  -- "(… @@ …) is true" is the same test in a form the GIN index cannot serve.
  return query execute format(
    'select c.id, 2, 0::real, ts_rank(c.fts, $1, 1)
       from (select d.id, d.fts from public.document_chunks d
              where d.customer_id = %L and (d.fts @@ $1) is true
                and not ($4 and d.fts @@ $5)
              limit $3) c
      order by 4 desc, c.id
      limit $2', tenant)
    using q_any, k - n, max_ranked, has_all, q_all;
end
$$;

comment on function private.text_candidates(tsquery, tsquery, integer, integer) is
  'Ids of the current tenant''s k best full-text matches (every word through the GIN index, then any word among max_ranked candidates). Used for large tenants by lib/rag/retrieve-passages.ts; passages are read under row-level security.';
revoke all on function private.text_candidates(tsquery, tsquery, integer, integer) from public;
grant execute on function private.text_candidates(tsquery, tsquery, integer, integer) to authenticated, service_role;

-- Owned by service_role (BYPASSRLS) so that the GIN index can serve it; where the
-- migrating role may not hand it over (Supabase), the owner keeps it (postgres bypasses
-- RLS there too).
do $$
begin
  alter function private.text_candidates(tsquery, tsquery, integer, integer) owner to service_role;
exception when others then
  raise notice 'text_candidates stays owned by %: %', current_user, sqlerrm;
end
$$;
