import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { EMBEDDING_DIMENSIONS } from "@/lib/ai/embeddings";
import { rows, type Tx } from "@/lib/db/client";
import { ftsConfigFor } from "@/lib/documents/fts-config";

/**
 * Hybrid retrieval over a tenant's chunks: pgvector cosine search and Postgres full-text
 * search, fused by reciprocal rank fusion, in one SQL statement (one round trip).
 * Runs inside the caller's tenant transaction: row-level security alone restricts it to
 * the tenant's chunks. Design and thresholds: docs/retrieval.md.
 */

/** One passage of a tenant's documents, best first. */
export interface Passage {
  chunkId: string;
  documentId: string;
  filename: string;
  pageStart: number;
  pageEnd: number;
  /** Offsets in content where pages pageStart+1 … pageEnd begin. */
  pageOffsets: number[];
  content: string;
  /** Reciprocal rank fusion score scaled to 0..1 (1 = first in every list searched). */
  score: number;
  /** 1-based rank in the vector list, null when not among its candidates (or no embedding). */
  vectorRank: number | null;
  /** 1-based rank in the full-text list, null when the passage has none of the question's words. */
  textRank: number | null;
  /** Cosine similarity with the question's embedding, null without one (or an unembedded chunk). */
  similarity: number | null;
  /** How many of the question's content terms (stemmed, stop words and greetings removed) the passage contains. */
  matchedTerms: number;
  /** How many content terms the question has (the same for every passage of a result). */
  queryTerms: number;
}

export interface RetrievePassagesInput {
  question: string;
  /** The question's embedding (1536 dimensions, L2-normalised); null: full-text search only. */
  queryEmbedding: number[] | null;
  /** The tenant's language ("fr", "en", …): stemming and stop words of the full-text search. */
  language: string;
  /** Passages returned; 8 by default, at most CANDIDATES_PER_LIST. */
  limit?: number;
}

/** Candidates taken from each list before fusion. */
export const CANDIDATES_PER_LIST = 40;
/** The k of reciprocal rank fusion (Cormack et al. 2009): score = Σ 1 / (k + rank). */
export const RRF_K = 60;
/**
 * HNSW candidate list size. ≥ CANDIDATES_PER_LIST so one pass can fill the list; with
 * iterative scans the index keeps going when row-level security filters rows out.
 */
export const HNSW_EF_SEARCH = 100;
/**
 * Tenants with at most this many chunks are searched exactly (their rows through the
 * customer_id index, sorted by distance); larger ones through their bucket's partial HNSW
 * index with iterative scans (`private.nearest_chunks`, migration 20261128000800). Chosen
 * with `npm run bench:retrieval` (docs/retrieval.md, "Index strategy (measured)"): an exact
 * search costs about 10 µs a chunk (12 ms at 900), an index search 3-5 ms with full recall
 * from about 1,000 chunks up; below that the tenant is a small share of its bucket, and the
 * index search gets slow and misses neighbours.
 */
export const EXACT_SEARCH_MAX_CHUNKS = 1000;
/**
 * Tenants with more chunks than this are searched by full text through
 * `private.text_candidates` (migration 20261128000900: the GIN index for chunks with every
 * word of the question, then at most TEXT_MAX_RANKED of the chunks with any of them);
 * smaller ones by the statement itself, which checks each of their chunks (under
 * row-level security the GIN index cannot serve it) and ranks every match: cheaper below
 * this size. Chosen with `npm run bench:retrieval` (docs/retrieval.md).
 */
export const TEXT_INDEX_MIN_CHUNKS = 2000;
/** At most this many chunks with any word of the question are ranked, for large tenants. */
export const TEXT_MAX_RANKED = 1000;
/** Longer questions are cut (a pasted e-mail would otherwise make hundreds of terms). */
export const MAX_QUESTION_CHARS = 1000;
const DEFAULT_LIMIT = 8;

/**
 * Words of greetings, politeness and question scaffolding in the tenants' languages that
 * the languages' stop-word lists keep ("bonjour", "merci", "les", "quel", "hello",
 * "please"…). They are stemmed at query time with the tenant's configuration and removed
 * from the question's content terms, so "Bonjour, quel est le prix ?" is about "prix".
 */
export const QUESTION_BOILERPLATE = [
  "hello hi hey dear thanks thank please regards question questions would like know want wondering tell",
  "bonjour bonsoir salut coucou merci svp stp madame monsieur question questions savoir voudrais aimerais",
  "souhaiterais pourriez pouvez peux dire quel quelle quels quelles combien comment est-ce les",
  "hola buenos buenas gracias favor quisiera saber cuál cuánto cómo",
  "hallo guten tag danke bitte möchte wissen",
  "ciao buongiorno grazie vorrei sapere",
  "olá bom obrigado obrigada gostaria saber",
  "goedendag dank bedankt graag weten",
].join(" ");

/**
 * Below this best cosine similarity, vectors alone do not show that the documents cover
 * the question. Chosen on the test fake's embeddings (feature hashing of words, bigrams
 * and character trigrams, tests/fakes/gemini.ts): questions using a fact's own words
 * score 0.34–0.88 against the chunk holding it; unrelated questions ("What is the capital
 * of Mongolia?", another tenant's fact) at most 0.25 against any chunk, because they share
 * only function words. 0.30 sits between them. Real gemini-embedding-001 vectors give
 * unrelated texts a higher baseline: calibrate on logged similarities of real questions
 * before relying on it (docs/retrieval.md); until then it errs towards answering.
 */
export const MIN_VECTOR_SIMILARITY = 0.3;

/**
 * A full-text hit is meaningful when the passage contains at least this many of the
 * question's content terms, or all of them when the question has fewer. One shared word
 * ("prix", "Acme") is not evidence that a passage answers a question; two distinct
 * ones usually are (the fake's unrelated questions match none or one, the covered ones
 * two or more).
 */
export const MIN_MATCHED_TERMS = 2;

/**
 * A lexeme as a tsquery operand, quoted so punctuation inside it is kept and not parsed
 * (and not stemmed again: it comes stemmed from to_tsvector). Quotes and backslashes are doubled.
 */
const lexemeQuery = sql.raw(`'''' || replace(replace(x, '\\', '\\\\'), '''', '''''') || ''''`);

export async function retrievePassages(tx: Tx, input: RetrievePassagesInput): Promise<Passage[]> {
  const question = input.question.trim().slice(0, MAX_QUESTION_CHARS);
  const embedding = input.queryEmbedding;
  if (embedding && embedding.length !== EMBEDDING_DIMENSIONS) {
    throw new Error(`A query embedding has ${EMBEDDING_DIMENSIONS} dimensions, not ${embedding.length}.`);
  }
  if (question === "" && !embedding) return [];
  const limit = Math.max(1, Math.min(CANDIDATES_PER_LIST, Math.trunc(input.limit ?? DEFAULT_LIMIT)));

  const found = await rows<{
    chunk_id: string;
    document_id: string;
    filename: string;
    page_start: number;
    page_end: number;
    page_offsets: number[] | string;
    content: string;
    rrf: number;
    vector_rank: number | null;
    text_rank: number | null;
    similarity: number | null;
    matched_terms: number;
    query_terms: number;
  }>(tx, retrievalQuery({ question, queryEmbedding: embedding, language: input.language, limit }));

  // The best possible fused score: first in every list that was searched.
  const best = (embedding ? 2 : 1) / (RRF_K + 1);
  return found.map((r) => ({
    chunkId: r.chunk_id,
    documentId: r.document_id,
    filename: r.filename,
    pageStart: Number(r.page_start),
    pageEnd: Number(r.page_end),
    pageOffsets: parseIntArray(r.page_offsets),
    content: r.content,
    score: Math.min(1, Number(r.rrf) / best),
    vectorRank: r.vector_rank === null ? null : Number(r.vector_rank),
    textRank: r.text_rank === null ? null : Number(r.text_rank),
    similarity: r.similarity === null ? null : Number(r.similarity),
    matchedTerms: Number(r.matched_terms),
    queryTerms: Number(r.query_terms),
  }));
}

/**
 * The single statement behind retrievePassages (exported for tests that EXPLAIN it).
 * `question` is used as given: retrievePassages trims and caps it first.
 */
export function retrievalQuery(input: {
  question: string;
  queryEmbedding: number[] | null;
  language: string;
  limit: number;
}): SQL {
  const cfg = ftsConfigFor(input.language);
  const k = sql.raw(String(CANDIDATES_PER_LIST));
  const rrfK = sql.raw(String(RRF_K));
  const limit = sql.raw(String(Math.max(1, Math.trunc(input.limit))));
  const vectorText = input.queryEmbedding ? `[${input.queryEmbedding.join(",")}]` : null;

  // The query vector. Computing it also turns on HNSW iterative scans for this
  // transaction: the scan's ORDER BY needs this value, so Postgres evaluates it (an
  // initplan) before the index returns its first row, and pgvector reads the settings
  // then. Where a setting does not exist (pgvector < 0.8), current_setting(…, true) is
  // null and nothing is set. The settings only matter when the planner picks the HNSW
  // index (large tenants); for small tenants it scans their rows by customer_id, exactly.
  const queryVector = vectorText
    ? sql`(case
        when current_setting('hnsw.iterative_scan', true) is null then ''
        else left(set_config('hnsw.iterative_scan', 'relaxed_order', true), 0)
          || left(set_config('hnsw.ef_search', '${sql.raw(String(HNSW_EF_SEARCH))}', true), 0)
      end || ${vectorText})::vector`
    : sql`null::vector`;

  // Which search: a probe of at most EXACT_SEARCH_MAX_CHUNKS + 1 of the tenant's entries in
  // the customer_id index says whether the tenant is small. The planner cannot tell (the
  // tenant is only known when the statement runs, so it plans for an average tenant), hence
  // two branches, each behind a one-time filter so only one runs. Small tenants: their rows
  // sorted by exact distance. Large ones: private.nearest_chunks, which names the tenant and
  // its bucket as constants (so the planner can use the bucket's partial HNSW index) and
  // turns sorting off (so it does not sort the tenant's rows instead); iterative scans keep
  // the index going until enough of the tenant's rows pass row-level security. Relaxed
  // order: the index may return rows slightly out of order; ranks are computed from the
  // exact distances afterwards.
  const exactMax = sql.raw(String(EXACT_SEARCH_MAX_CHUNKS));
  const textMin = sql.raw(String(TEXT_INDEX_MIN_CHUNKS));
  const textMaxRanked = sql.raw(String(TEXT_MAX_RANKED));
  const probe = sql.raw(String(Math.max(EXACT_SEARCH_MAX_CHUNKS, TEXT_INDEX_MIN_CHUNKS) + 1));
  const vectorScan = vectorText
    ? sql`vector_scan as materialized (
        (select c.id, c.embedding <=> (select qv from q) as distance
          from document_chunks c
          where c.embedding is not null and (select chunks from tenant_size) <= ${exactMax}
          order by distance
          limit ${k})
        union all
        select n.id, n.distance
        from private.nearest_chunks((select qv from q), ${k}) n
        where (select chunks from tenant_size) > ${exactMax}
      )`
    : sql`vector_scan as (select null::uuid as id, null::float8 as distance where false)`;

  return sql`
    with parsed as materialized (
      select
        ${cfg}::regconfig as cfg,
        tsvector_to_array(to_tsvector(${cfg}::regconfig, ${input.question})) as all_terms,
        tsvector_to_array(to_tsvector(${cfg}::regconfig, ${QUESTION_BOILERPLATE})) as boilerplate
    ),
    terms as materialized (
      select
        i.cfg,
        i.all_terms,
        -- Hyphenated words also come as their parts ("offrez-vous": offrez, vous).
        array(select t from unnest(i.all_terms) t where t <> all(i.boilerplate) and strpos(t, '-') = 0)
          as content_terms
      from parsed i
    ),
    q as materialized (
      select
        -- Every word (websearch syntax): matching all of them ranks first.
        case when cardinality(t.all_terms) > 0 then websearch_to_tsquery(t.cfg, ${input.question}) end as q_all,
        -- Any content word (any word when the question has nothing else): long questions rarely match all.
        (select nullif(string_agg(${lexemeQuery}, ' | '), '')::tsquery
           from unnest(case when cardinality(t.content_terms) > 0 then t.content_terms else t.all_terms end) x)
          as q_any,
        array(select (${lexemeQuery})::tsquery from unnest(t.content_terms) x) as term_queries,
        cardinality(t.content_terms) as query_terms,
        ${queryVector} as qv
      from terms t
    ),
    -- How large the tenant is, counted up to what the choices below need (an index-only
    -- scan of its entries in document_chunks_customer).
    tenant_size as materialized (
      select count(*) as chunks from (select 1 from document_chunks limit ${probe}) s
    ),
    ${vectorScan},
    vector_hits as (
      select id, row_number() over (order by distance, id) as rank from vector_scan
    ),
    -- Full text: small tenants here (every match ranked), large ones through
    -- private.text_candidates (the GIN index; see TEXT_INDEX_MIN_CHUNKS). One-time filters
    -- leave one of the two branches unexecuted.
    text_scan as materialized (
      (select
          c.id,
          case when coalesce(numnode((select q_all from q)) > 0 and c.fts @@ (select q_all from q), false)
            then 1 else 2 end as tier,
          -- Proximity only where every word is there (elsewhere it is 0 anyway): ts_rank_cd
          -- on each of a large tenant's matches was 60% of the full-text search's time.
          case when c.fts @@ (select q_all from q) then ts_rank_cd(c.fts, (select q_all from q), 1) else 0 end
            as rank_all,
          ts_rank(c.fts, (select q_any from q), 1) as rank_any
        from document_chunks c
        -- No terms (no question, or only punctuation): no scan of the tenant's rows.
        where (select q_any from q) is not null and c.fts @@ (select q_any from q)
          and (select chunks from tenant_size) <= ${textMin}
        order by tier, rank_all desc, rank_any desc, c.id
        limit ${k})
      union all
      select t.id, t.tier, t.rank_all, t.rank_any
      from private.text_candidates((select q_all from q), (select q_any from q), ${k}, ${textMaxRanked}) t
      where (select q_any from q) is not null and (select chunks from tenant_size) > ${textMin}
    ),
    text_hits as materialized (
      select id, row_number() over (order by tier, rank_all desc, rank_any desc, id) as rank from text_scan
    ),
    fused as (
      select
        coalesce(v.id, t.id) as id,
        v.rank as vector_rank,
        t.rank as text_rank,
        coalesce(1.0::float8 / (${rrfK} + v.rank), 0) + coalesce(1.0::float8 / (${rrfK} + t.rank), 0) as rrf
      from vector_hits v
      full join text_hits t on t.id = v.id
      order by rrf desc, least(v.rank, t.rank), coalesce(v.id, t.id)
      limit ${limit}
    )
    select
      f.id::text as chunk_id,
      c.document_id::text as document_id,
      d.filename,
      c.page_start,
      c.page_end,
      c.page_offsets,
      c.content,
      f.rrf::float8 as rrf,
      f.vector_rank::int as vector_rank,
      f.text_rank::int as text_rank,
      (1 - (c.embedding <=> (select qv from q)))::float8 as similarity,
      (select count(*) from unnest((select term_queries from q)) tq where c.fts @@ tq)::int as matched_terms,
      (select query_terms from q)::int as query_terms
    from fused f
    -- One primary-key look-up per passage ("limit 1" keeps the subquery from being merged
    -- into the join: the planner, expecting one chunk per tenant document, otherwise
    -- joined all of a large tenant's chunks with its documents first, 200+ ms at 26,000).
    cross join lateral (select * from document_chunks c where c.id = f.id limit 1) c
    join documents d on d.id = c.document_id
    order by f.rrf desc, least(f.vector_rank, f.text_rank), f.id`;
}

export interface Coverage {
  covered: boolean;
  /** Why: a close vector, a meaningful full-text hit, or neither. */
  reason: "similar_passage" | "matching_terms" | "no_relevant_passage";
  bestSimilarity: number | null;
  bestMatchedTerms: number;
  queryTerms: number;
}

/**
 * Whether the passages show that the tenant's documents cover the question, so the
 * answer step can honestly say "not in the documents" (answered: false) otherwise:
 * covered when the closest passage's cosine similarity reaches MIN_VECTOR_SIMILARITY, or
 * when a passage found by full-text search contains MIN_MATCHED_TERMS of the question's
 * content terms (all of them for shorter questions). The question itself is not needed:
 * its terms were stemmed with the tenant's language by Postgres and travel with the passages.
 */
export function assessCoverage(
  passages: readonly Passage[],
  opts: { minSimilarity?: number; minMatchedTerms?: number } = {},
): Coverage {
  const minSimilarity = opts.minSimilarity ?? MIN_VECTOR_SIMILARITY;
  const minTerms = opts.minMatchedTerms ?? MIN_MATCHED_TERMS;
  let bestSimilarity: number | null = null;
  let bestMatchedTerms = 0;
  let queryTerms = 0;
  for (const p of passages) {
    if (p.similarity !== null && (bestSimilarity === null || p.similarity > bestSimilarity)) {
      bestSimilarity = p.similarity;
    }
    if (p.textRank !== null) bestMatchedTerms = Math.max(bestMatchedTerms, p.matchedTerms);
    queryTerms = Math.max(queryTerms, p.queryTerms);
  }
  const facts = { bestSimilarity, bestMatchedTerms, queryTerms };
  if (bestSimilarity !== null && bestSimilarity >= minSimilarity) {
    return { covered: true, reason: "similar_passage", ...facts };
  }
  if (queryTerms > 0 && bestMatchedTerms >= Math.min(minTerms, queryTerms)) {
    return { covered: true, reason: "matching_terms", ...facts };
  }
  return { covered: false, reason: "no_relevant_passage", ...facts };
}

/**
 * assessCoverage(…).covered. The question is accepted for callers' convenience and not
 * needed: its terms, stemmed with the tenant's language, travel with the passages.
 */
export function isCovered(
  passages: readonly Passage[],
  _question?: string,
  opts?: { minSimilarity?: number; minMatchedTerms?: number },
): boolean {
  return assessCoverage(passages, opts).covered;
}

/** int[] comes back as an array from postgres.js and PGlite alike, or as "{1,2}" text. */
function parseIntArray(value: number[] | string | null): number[] {
  if (Array.isArray(value)) return value.map(Number);
  if (typeof value === "string") return value.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
  return [];
}
