import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { embedTexts, GeminiError, geminiConfigured } from "@/lib/ai/gemini-client";
import { asService, rows, withTenant } from "@/lib/db/client";
import { documentChunks, documents } from "@/lib/db/schema";
import { PermanentJobError, RetryLaterError } from "@/lib/jobs/job-errors";
import type { JobRow } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";

/**
 * Documents ingested without a Gemini key have full-text search only. Once a key is
 * configured, the sweeper queues one backfill job per such document, which embeds its
 * chunks in batches.
 */
export const EMBED_CHUNKS = "embed_chunks";
const BATCH = 500;

export const embedChunksJob: JobHandler = {
  async run(job: JobRow, ctx) {
    if (!geminiConfigured()) throw new PermanentJobError("No Gemini API key is configured.");
    const documentId = String(job.payload.document_id);
    const claims = { role: "authenticated" as const, customer_id: job.customerId as string };
    for (;;) {
      ctx.signal.throwIfAborted();
      const pending = await withTenant(claims, async (tx) => {
        const [doc] = await tx
          .select({ filename: documents.filename })
          .from(documents)
          .where(eq(documents.id, documentId));
        if (!doc) return null;
        const chunks = await tx
          .select({ id: documentChunks.id, content: documentChunks.content })
          .from(documentChunks)
          .where(and(eq(documentChunks.documentId, documentId), isNull(documentChunks.embedding)))
          .orderBy(asc(documentChunks.chunkIndex))
          .limit(BATCH);
        return { title: doc.filename, chunks };
      });
      if (!pending || pending.chunks.length === 0) return;
      let vectors: number[][];
      try {
        vectors = await embedTexts(
          pending.chunks.map((c) => c.content),
          { task: "RETRIEVAL_DOCUMENT", title: pending.title, signal: ctx.signal },
        );
      } catch (err) {
        if (err instanceof GeminiError && !err.retryable) throw new PermanentJobError(err.message);
        if (err instanceof GeminiError && err.retryAfterMs) throw new RetryLaterError(err.message, err.retryAfterMs);
        throw err;
      }
      await withTenant(claims, (tx) =>
        rows(
          tx,
          sql`update document_chunks c set embedding = v.embedding::vector
              from unnest(${`{${pending.chunks.map((c) => c.id).join(",")}}`}::uuid[],
                          ${`{${vectors.map((v) => `"[${v.join(",")}]"`).join(",")}}`}::text[]) as v(id, embedding)
              where c.id = v.id and c.embedding is null`,
        ),
      );
    }
  },
};

/** Queues a backfill for every processed document that still has chunks without embeddings. */
export async function queueEmbeddingBackfill(): Promise<number> {
  if (!geminiConfigured()) return 0;
  const queued = await asService("sweeper maintenance: queue embedding backfill", (tx) =>
    rows(
      tx,
      sql`insert into jobs (customer_id, kind, payload)
          select distinct c.customer_id, ${EMBED_CHUNKS}, jsonb_build_object('document_id', c.document_id)
          from document_chunks c
          join documents d on d.id = c.document_id and d.status = 'processed'
          where c.embedding is null
            and not exists (
              select 1 from jobs j
              where j.kind = ${EMBED_CHUNKS} and j.status in ('queued', 'running')
                and j.payload ->> 'document_id' = c.document_id::text)
          returning id`,
    ),
  );
  return queued.length;
}
