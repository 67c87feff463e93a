-- Why: vector search for large tenants. `npm run bench:retrieval` (200,000 chunks, 1,000
-- tenants, three of 20,000+; 2 cores; docs/retrieval.md "Index strategy (measured)"):
--
-- * Row-level security hides the tenant until the statement runs, so the planner plans
--   for an average tenant (200 chunks) and never takes the global HNSW index: every
--   tenant's rows are read and sorted exactly, about 10 µs a chunk (detoasting 6 KB
--   vectors). That is 4 ms at 400 chunks but 40-85 ms at 2,000-7,000 and 250-350 ms at
--   20,000-26,000: retrievePassages p95 593 ms, huge tenants p50 564 ms.
-- * Forced onto the global HNSW index (iterative scans), a large tenant's search takes
--   10-15 ms (p95 19 ms for 2,000-20,000 chunks) with recall@8 0.99; small tenants take up
--   to 200 ms (the scan runs out of their rows and goes on to hnsw.max_scan_tuples).
-- * Partial HNSW indexes over sixteen buckets of tenants (below), searched with the tenant
--   and its bucket as constants, take 3-5 ms from 1,000 chunks up (medians; 9-14 ms at
--   20,000+), recall@8 1.00 (0.99 at 20,000+). lib/rag/retrieve-passages.ts searches
--   tenants of up to 1,000 chunks exactly and larger ones through private.nearest_chunks:
--   p95 of the statement without full-text matches 12 ms (at most 14 ms in every size
--   class), recall@8 0.999.
--
-- Cost: the buckets hold every vector once more (1.5 GB per 200,000 chunks, beside the
-- global index's 1.5 GB) and each chunk insert updates two HNSW graphs. The global
-- document_chunks_embedding index is kept for the statement's exact branch when the
-- planner thinks tenants are large (and for tests that force that plan); dropping it
-- would save that space. Built after the data load: 134 s for the sixteen (4GB
-- maintenance_work_mem); on an existing table this migration locks writes while it builds.

-- Room for a bucket's graph in memory (about 250 MB for 30,000 chunks). With the default
-- 64MB, building these on an existing 200,000-chunk table took 6.8 minutes (2.2 minutes
-- with 4GB after a bulk load). The graph grows to what it needs, up to this.
set local maintenance_work_mem = '512MB';

-- Sixteen partial HNSW indexes, one per bucket of tenants (the last hex digit of
-- customer_id: random for gen_random_uuid ids, and immutable).
do $$
declare
  b text;
begin
  foreach b in array string_to_array('0,1,2,3,4,5,6,7,8,9,a,b,c,d,e,f', ',') loop
    execute format(
      'create index if not exists %I on public.document_chunks using hnsw (embedding vector_cosine_ops) where right(customer_id::text, 1) = %L',
      'document_chunks_embedding_' || b, b);
  end loop;
end
$$;

do $$
declare
  -- hnsw.iterative_scan exists from pgvector 0.8 on (PostgreSQL here: 0.8.0, PGlite: 0.8.7);
  -- setting an unknown hnsw.* parameter fails, so older versions go without it.
  iterative boolean := coalesce(
    (select string_to_array(extversion, '.')::int[] >= array[0, 8] from pg_extension where extname = 'vector'),
    false
  );
begin
  execute format($create$
    create or replace function private.nearest_chunks(query vector, k integer)
    returns table (id uuid, distance double precision)
    language plpgsql stable
    set enable_sort = off
    %s
    as $body$
    declare
      tenant uuid := private.customer_id();
    begin
      if tenant is null then
        return;
      end if;
      return query execute format(
        'select c.id, c.embedding <=> $1 from public.document_chunks c'
        ' where c.customer_id = %%L and right(c.customer_id::text, 1) = %%L and c.embedding is not null'
        ' order by c.embedding <=> $1 limit $2',
        tenant, right(tenant::text, 1))
      using query, k;
    end
    $body$
  $create$, case when iterative then 'set hnsw.iterative_scan = relaxed_order set hnsw.ef_search = 100' else '' end);
end
$$;

comment on function private.nearest_chunks(vector, integer) is
  'The k chunks of the current tenant nearest to query (cosine distance) through its bucket''s HNSW index; row-level security applies. Used for large tenants by lib/rag/retrieve-passages.ts.';
revoke all on function private.nearest_chunks(vector, integer) from public;
grant execute on function private.nearest_chunks(vector, integer) to authenticated, service_role;
