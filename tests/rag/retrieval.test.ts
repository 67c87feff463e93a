import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentChunks, documents } from "@/lib/db/schema";
import { ftsConfigFor } from "@/lib/documents/fts-config";
import {
  assessCoverage,
  HNSW_EF_SEARCH,
  isCovered,
  MIN_VECTOR_SIMILARITY,
  type Passage,
  retrievalQuery,
  retrievePassages,
  TEXT_INDEX_MIN_CHUNKS,
} from "@/lib/rag/retrieve-passages";
import { fakeEmbedding } from "../fakes/gemini";
import { openDirectDatabase } from "../support/direct-db";
import { claimsOf, type SeededTenant, seedTenant } from "../support/seed";

// Hybrid retrieval on the real schema, row-level security included: every search runs
// as a tenant, in that tenant's transaction, and never filters by tenant itself.

/** What embedTexts returns with the Gemini fake: its vector, L2-normalised. */
function embed(text: string): number[] {
  const v = fakeEmbedding(text, 1536);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

const WARRANTY =
  "Acme widgets are covered by a two-year warranty against manufacturing defects. The warranty does not cover accidental damage or normal wear.";
const acmeHandbook = [
  { page: 1, content: "Welcome to Acme. This handbook describes our products and the services we offer to customers." },
  { page: 2, content: WARRANTY },
  {
    page: 3,
    content:
      "Standard delivery within mainland France takes three to five business days. Express delivery arrives the next day for orders placed before noon.",
  },
  {
    page: 4,
    content:
      "Our shop at 12 rue de la Paix in Paris is open Monday to Saturday from 9 am to 7 pm. It is closed on Sundays and public holidays.",
  },
  {
    page: 5,
    content:
      "Returns are accepted within 30 days of purchase if the product is unused and in its original packaging. Refunds go back to the original payment method.",
  },
  {
    page: 6,
    content:
      "The Acme Turbo blender has a 1200 watt motor, six speeds and a 1.5 litre glass jug that is dishwasher safe.",
  },
];
const WARRANTY_QUESTION = "How long is the warranty on Acme widgets?";
const VAULT = "The vault code of the Bravo office is 4321.";

let db: Awaited<ReturnType<typeof openDirectDatabase>>;
let acme: SeededTenant;
let bravo: SeededTenant;
let claire: SeededTenant;
const ids = { acmeDocument: "", bravoWarranty: "", bravoVault: "", bravoDocuments: [] as string[] };

/** A processed document with its chunks, written as a fixture through the privileged path. */
async function addDocument(
  tenant: SeededTenant,
  filename: string,
  language: string,
  pages: { page: number; content: string }[],
) {
  return db.asService("test fixture", async (tx) => {
    const [doc] = await tx
      .insert(documents)
      .values({ customerId: tenant.customerId, filename, sizeBytes: 1000, status: "processed" })
      .returning({ id: documents.id });
    const chunks = await tx
      .insert(documentChunks)
      .values(
        pages.map((p, i) => ({
          customerId: tenant.customerId,
          documentId: doc!.id,
          chunkIndex: i,
          pageStart: p.page,
          pageEnd: p.page,
          content: p.content,
          tokenCount: Math.ceil(p.content.length / 4),
          embedding: embed(p.content),
          ftsConfig: ftsConfigFor(language),
        })),
      )
      .returning({ id: documentChunks.id, content: documentChunks.content });
    return { documentId: doc!.id, chunks };
  });
}

function search(tenant: SeededTenant, question: string, opts: { language?: string; vectors?: boolean } = {}) {
  return db.withTenant(claimsOf(tenant), (tx) =>
    retrievePassages(tx, {
      question,
      queryEmbedding: opts.vectors === false ? null : embed(question),
      language: opts.language ?? "en",
    }),
  );
}

beforeAll(async () => {
  db = await openDirectDatabase();
  acme = await seedTenant("Acme");
  bravo = await seedTenant("Bravo");
  claire = await seedTenant("Chez Claire");
  ids.acmeDocument = (await addDocument(acme, "acme-handbook.pdf", "en", acmeHandbook)).documentId;
  // Bravo holds the very same warranty sentence, a fact of its own, and many passages
  // nearly identical to Acme's question: without row-level security (or with an HNSW
  // scan starved by it) they would crowd Acme's own passage out.
  const twins = Array.from({ length: 120 }, (_, i) => ({ page: 10 + i, content: `${WARRANTY_QUESTION} Variant ${i}` }));
  const bravoDoc = await addDocument(bravo, "bravo-handbook.pdf", "en", [
    { page: 1, content: WARRANTY },
    { page: 2, content: VAULT },
    ...twins,
  ]);
  ids.bravoDocuments.push(bravoDoc.documentId, bravo.ids.documents);
  ids.bravoWarranty = bravoDoc.chunks.find((c) => c.content === WARRANTY)!.id;
  ids.bravoVault = bravoDoc.chunks.find((c) => c.content === VAULT)!.id;
  await addDocument(claire, "conditions-generales.pdf", "fr", [
    { page: 1, content: "Bienvenue chez Claire, boutique d'électroménager à Lyon depuis 1987." },
    {
      page: 2,
      content:
        "Tous nos appareils bénéficient d'une garantie de deux ans couvrant les pannes et les défauts de fabrication.",
    },
    { page: 3, content: "La livraison en Belgique coûte 9 euros et prend quatre jours ouvrés." },
  ]);
});
afterAll(async () => {
  await db?.closeDatabase();
});

const contents = (ps: Passage[]) => ps.map((p) => p.content);

describe(`hybrid retrieval on ${process.env.TEST_DB}`, () => {
  it("puts the passage holding the fact first, found by both searches, with its document and page", async () => {
    const passages = await search(acme, WARRANTY_QUESTION);
    const [first] = passages;
    expect(first).toMatchObject({
      content: WARRANTY,
      documentId: ids.acmeDocument,
      filename: "acme-handbook.pdf",
      pageStart: 2,
      pageEnd: 2,
      vectorRank: 1,
      textRank: 1,
    });
    expect(first!.score).toBeCloseTo(1, 10);
    expect(first!.similarity).toBeGreaterThan(MIN_VECTOR_SIMILARITY);
    expect(first!.queryTerms).toBe(4); // long, warranti, acm, widget
    expect(first!.matchedTerms).toBe(3);
    // Fused, deduplicated, best first, at most the default 8.
    expect(passages.length).toBeLessThanOrEqual(8);
    expect(new Set(passages.map((p) => p.chunkId)).size).toBe(passages.length);
    const scores = passages.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    expect(assessCoverage(passages)).toMatchObject({ covered: true, reason: "similar_passage" });
  });

  it("finds it without embeddings too (no Gemini key: full-text search only)", async () => {
    const passages = await search(acme, WARRANTY_QUESTION, { vectors: false });
    expect(passages[0]).toMatchObject({ content: WARRANTY, pageStart: 2, textRank: 1, vectorRank: null });
    expect(passages.every((p) => p.similarity === null && p.vectorRank === null)).toBe(true);
    // Words the passage lacks ("long") do not hide it: any content word matches.
    expect(assessCoverage(passages)).toMatchObject({ covered: true, reason: "matching_terms" });
  });

  it("finds a paraphrase sharing no word with the passage through its embedding", async () => {
    const passages = await search(acme, "When will my parcel be delivered?");
    expect(passages[0]).toMatchObject({ pageStart: 3, vectorRank: 1, textRank: null });
    expect(passages[0]!.content).toContain("Standard delivery");
    // Full-text search alone has nothing to offer here ("deliv" is not "deliveri").
    expect(await search(acme, "When will my parcel be delivered?", { vectors: false })).toEqual([]);
  });

  it("ranks a long, chatty question by its content words", async () => {
    const question = "Hello! Please, I would like to know: is the Turbo blender dishwasher safe? Thanks";
    const text = await search(acme, question, { vectors: false });
    expect(text[0]).toMatchObject({ pageStart: 6, textRank: 1 });
    expect(text[0]!.queryTerms).toBe(4); // turbo, blender, dishwash, safe: greetings are not content
    expect(isCovered(text, question)).toBe(true);
    expect((await search(acme, question))[0]).toMatchObject({ pageStart: 6, vectorRank: 1, textRank: 1 });
  });

  it.each([
    "What is the capital of Mongolia?",
    "Who won the football world cup in 1998?",
    "Can I pay with bitcoin?",
    "Bonjour",
  ])("says the documents do not cover %j", async (question) => {
    const withVectors = await search(acme, question);
    expect(assessCoverage(withVectors)).toMatchObject({ covered: false, reason: "no_relevant_passage" });
    expect(isCovered(await search(acme, question, { vectors: false }))).toBe(false);
  });

  it("one shared word is not coverage", async () => {
    const passages = await search(acme, "Do you sell Acme rockets?", { vectors: false });
    expect(passages.length).toBeGreaterThan(0); // "acm" matches
    expect(assessCoverage(passages)).toMatchObject({ covered: false, bestMatchedTerms: 1, queryTerms: 3 });
  });

  it("never returns another tenant's passages, even identical ones (row-level security)", async () => {
    for (const vectors of [true, false]) {
      const passages = await search(acme, WARRANTY_QUESTION, { vectors });
      expect(passages.length).toBeGreaterThan(0);
      expect(passages.map((p) => p.chunkId)).not.toContain(ids.bravoWarranty);
      expect(passages.some((p) => ids.bravoDocuments.includes(p.documentId))).toBe(false);
      expect(contents(passages).some((c) => c.includes("Variant"))).toBe(false);
    }
    const vault = "What is the vault code of the Bravo office?";
    const asAcme = await search(acme, vault);
    expect(asAcme.map((p) => p.chunkId)).not.toContain(ids.bravoVault);
    expect(isCovered(asAcme, vault)).toBe(false);
    // The fact exists and is found, by its owner.
    const asBravo = await search(bravo, vault);
    expect(asBravo[0]).toMatchObject({ chunkId: ids.bravoVault, vectorRank: 1, textRank: 1 });
    expect(isCovered(asBravo, vault)).toBe(true);
  });

  it("stems in the tenant's language: 'garanties' finds 'garantie' for a French tenant", async () => {
    const question = "Quelles garanties offrez-vous sur vos appareils ?";
    const text = await search(claire, question, { language: "fr", vectors: false });
    expect(text[0]).toMatchObject({ pageStart: 2, textRank: 1 });
    expect(text[0]!.content).toContain("garantie de deux ans");
    expect(isCovered(text, question)).toBe(true);
    expect((await search(claire, question, { language: "fr" }))[0]).toMatchObject({ pageStart: 2, textRank: 1 });
    // Without French stemming the plural does not match the singular.
    const simple = await search(claire, "garanties", { language: "xx", vectors: false });
    expect(simple).toEqual([]);
    const fr = await search(claire, "garanties", { language: "fr", vectors: false });
    expect(fr[0]).toMatchObject({ pageStart: 2, matchedTerms: 1, queryTerms: 1 });
  });

  it("has pgvector's iterative index scan settings, set per transaction only", async () => {
    const inside = await db.withTenant(claimsOf(acme), async (tx) => {
      await retrievePassages(tx, {
        question: WARRANTY_QUESTION,
        queryEmbedding: embed(WARRANTY_QUESTION),
        language: "en",
      });
      return db.rows<{ name: string; setting: string }>(
        tx,
        sql`select name, setting from pg_settings where name in ('hnsw.iterative_scan', 'hnsw.ef_search') order by name`,
      );
    });
    expect(inside).toEqual([
      { name: "hnsw.ef_search", setting: "100" },
      { name: "hnsw.iterative_scan", setting: "relaxed_order" },
    ]);
    // Transaction-local: nothing leaks to the next transaction (PGlite has one session for all).
    // The vector literal loads pgvector on this connection before current_setting runs.
    const after = await db.withTenant(claimsOf(acme), (tx) =>
      db.rows<{ mode: string; ef: string }>(
        tx,
        sql`select '[1]'::vector is not null as loaded, current_setting('hnsw.iterative_scan') as mode, current_setting('hnsw.ef_search') as ef`,
      ),
    );
    expect(after).toEqual([{ loaded: true, mode: "off", ef: "40" }]);
  });

  it("an HNSW index scan filtered by row-level security still fills the tenant's candidates", async () => {
    // Make the planner take the HNSW index, as it does for large tenants. Bravo's 120
    // near-copies of the question are closer to it than any of Acme's passages.
    const forceIndex = sql`select set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
      set_config('enable_sort', 'off', true)`;
    const q = embed(WARRANTY_QUESTION);
    const result = await db.withTenant(claimsOf(acme), async (tx) => {
      await db.rows(tx, forceIndex);
      // Without iterative scans, the index's best candidates (as many as retrievePassages
      // asks for, HNSW_EF_SEARCH) are all Bravo's, and row-level security drops them.
      await db.rows(tx, sql`select set_config('hnsw.ef_search', ${String(HNSW_EF_SEARCH)}, true)`);
      const starved = await db.rows<{ id: string }>(
        tx,
        sql`select id from document_chunks where embedding is not null order by embedding <=> ${JSON.stringify(q)}::vector limit 40`,
      );
      const plan = await db.rows<Record<string, string>>(
        tx,
        sql`explain ${retrievalQuery({ question: WARRANTY_QUESTION, queryEmbedding: q, language: "en", limit: 8 })}`,
      );
      const passages = await retrievePassages(tx, { question: WARRANTY_QUESTION, queryEmbedding: q, language: "en" });
      return { starved, plan: plan.map((r) => Object.values(r)[0]).join("\n"), passages };
    });
    expect(result.plan).toContain("document_chunks_embedding");
    expect(result.starved).toEqual([]);
    const vectorHits = result.passages.filter((p) => p.vectorRank !== null);
    // Every Acme chunk with an embedding (its handbook and the seeded one) is a vector candidate.
    expect(vectorHits.length).toBe(Math.min(8, acmeHandbook.length + 1));
    expect(result.passages[0]).toMatchObject({ content: WARRANTY, vectorRank: 1, textRank: 1 });
  });
});

describe(`full-text search of large tenants on ${process.env.TEST_DB}`, () => {
  // Two tenants above TEXT_INDEX_MIN_CHUNKS, searched through private.text_candidates
  // (security definer, the GIN index). Their filler chunks all share the word "delivery".
  const ZEPHYR = "The Zephyr blender carries a five-year warranty on its motor, parts and labour included.";
  let delta: SeededTenant;
  let echo: SeededTenant;
  const deltaIds = { zephyr: "", blenders: "" };
  let echoZephyr = "";

  async function addLargeDocument(tenant: SeededTenant, facts: string[]) {
    const { documentId, chunks } = await addDocument(
      tenant,
      "large-catalogue.pdf",
      "en",
      facts.map((content, i) => ({ page: i + 1, content })),
    );
    await db.asService("test fixture", (tx) =>
      db.rows(
        tx,
        sql`insert into document_chunks (customer_id, document_id, chunk_index, page_start, page_end, content, fts_config)
            select ${tenant.customerId}::uuid, ${documentId}::uuid, 100 + g, 50 + g / 10, 50 + g / 10,
                   'Catalogue entry ' || g || ': delivery within three days, boxed and insured.', 'english'
            from generate_series(1, ${TEXT_INDEX_MIN_CHUNKS + 50}) g`,
      ),
    );
    return chunks;
  }

  beforeAll(async () => {
    delta = await seedTenant("Delta");
    echo = await seedTenant("Echo");
    const deltaChunks = await addLargeDocument(delta, [
      ZEPHYR,
      "Our blender range covers six models, from compact to professional.",
    ]);
    deltaIds.zephyr = deltaChunks[0]!.id;
    deltaIds.blenders = deltaChunks[1]!.id;
    // Echo has the very same sentence: Delta must never see it.
    echoZephyr = (await addLargeDocument(echo, [ZEPHYR]))[0]!.id;
  }, 120_000);

  it("finds the chunk with every word first, and only the tenant's own", async () => {
    for (const vectors of [false, true]) {
      const passages = await search(delta, "Zephyr blender warranty?", { vectors });
      expect(passages[0]).toMatchObject({ chunkId: deltaIds.zephyr, textRank: 1, filename: "large-catalogue.pdf" });
      // One content word in common: ranked after the chunk with all of them.
      expect(passages.find((p) => p.chunkId === deltaIds.blenders)?.textRank).toBe(2);
      expect(passages.map((p) => p.chunkId)).not.toContain(echoZephyr);
      expect(passages.every((p) => p.content !== ZEPHYR || p.chunkId === deltaIds.zephyr)).toBe(true);
    }
    const asEcho = await search(echo, "Zephyr blender warranty?", { vectors: false });
    expect(asEcho[0]?.chunkId).toBe(echoZephyr);
    expect(asEcho.map((p) => p.chunkId)).not.toContain(deltaIds.zephyr);
  });

  it("ranks a bounded number of chunks sharing one common word, all of them the tenant's", async () => {
    const passages = await search(delta, "delivery to Mars", { vectors: false });
    expect(passages).toHaveLength(8);
    const deltaDocs = new Set(
      await db.withTenant(claimsOf(delta), (tx) =>
        db.rows<{ id: string }>(tx, sql`select id::text as id from documents`).then((r) => r.map((x) => x.id)),
      ),
    );
    expect(passages.every((p) => deltaDocs.has(p.documentId) && p.content.includes("delivery"))).toBe(true);
  });

  it("goes through private.text_candidates for large tenants only", async () => {
    const planOf = (tenant: SeededTenant) =>
      db.withTenant(claimsOf(tenant), async (tx) => {
        const plan = await db.rows<Record<string, string>>(
          tx,
          sql`explain (analyze, costs off) ${retrievalQuery({ question: "Zephyr blender warranty", queryEmbedding: null, language: "en", limit: 8 })}`,
        );
        return plan
          .map((r) => Object.values(r)[0])
          .filter((line) => line?.includes("text_candidates"))
          .join("\n");
      });
    expect(await planOf(delta)).toMatch(/Function Scan on text_candidates.*actual time/);
    expect(await planOf(acme)).toMatch(/Function Scan on text_candidates.*never executed/);
  });

  it("returns nothing without the tenant's claims (the function names the tenant itself)", async () => {
    const rowsAsService = await db.asService("test: text_candidates without claims", (tx) =>
      db.rows(tx, sql`select * from private.text_candidates('zephyr'::tsquery, 'zephyr'::tsquery, 40, 1000)`),
    );
    expect(rowsAsService).toEqual([]);
  });
});
