import "server-only";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { embedTexts, GeminiError, geminiConfigured, ocrPdf } from "@/lib/ai/gemini-client";
import { type Claims, rows, withTenant } from "@/lib/db/client";
import { errorText, pgText } from "@/lib/db/pg-text";
import { customers, documentChunks, documents, jobs } from "@/lib/db/schema";
import { PermanentJobError, RetryLaterError } from "@/lib/jobs/job-errors";
import type { JobRow } from "@/lib/jobs/job-queue";
import type { JobContext, JobHandler } from "@/lib/jobs/run-jobs";
import { log } from "@/lib/log";
import { fileStorage } from "@/lib/storage";
import { readSettings } from "@/lib/tenants/settings";
import { type Chunk, chunkPages, type PageText } from "./chunk-text";
import { ftsConfigFor } from "./fts-config";
import { MAX_PDF_PAGES } from "./limits";
import { PdfReadError, readPdfPages } from "./pdf-text";

/**
 * The ingestion job: extract each page's text (OCR for scans when Gemini is
 * configured), chunk, embed, and write every chunk in one transaction, replacing any
 * older document of the same name in that same transaction. A failure leaves no chunk.
 */
export const INGEST_DOCUMENT = "ingest_document";

/** Pages with fewer visible characters than this are treated as scans. */
const MIN_PAGE_CHARS = 20;
const INSERT_BATCH = 200;

const tenant = (customerId: string): Claims => ({ role: "authenticated", customer_id: customerId });

/** Wall-clock milliseconds of each stage of one completed ingestion. */
export interface IngestTimings {
  document_id: string;
  pages: number;
  chunks: number;
  read_ms: number;
  extract_ms: number;
  ocr_ms: number;
  chunk_ms: number;
  embed_ms: number;
  write_ms: number;
}

/** Told the stage timings of every completed ingestion (scripts/bench-ingest.ts); empty in the app. */
export const ingestTimingObservers = new Set<(timings: IngestTimings) => void>();

export const ingestDocumentJob: JobHandler = {
  async run(job: JobRow, ctx: JobContext) {
    const documentId = String(job.payload.document_id);
    const customerId = job.customerId as string;
    const claims = tenant(customerId);

    const doc = await withTenant(claims, async (tx) => {
      const [found] = await tx.select().from(documents).where(eq(documents.id, documentId));
      if (!found || found.status === "processed" || found.status === "failed") return null;
      await tx
        .update(documents)
        .set({ status: "processing", pagesDone: 0, error: null })
        .where(eq(documents.id, documentId));
      const [customer] = await tx
        .select({ settings: customers.settings })
        .from(customers)
        .where(eq(customers.id, customerId));
      return { ...found, language: readSettings(customer?.settings).language };
    });
    if (!doc) return; // deleted, or already finished by another attempt

    const started = performance.now();
    const bytes = doc.storagePath ? await fileStorage().get(doc.storagePath) : null;
    if (!bytes) throw new PermanentJobError("The uploaded file could not be found. Upload it again.");
    const read = performance.now();

    const pages = await extractPages(bytes, documentId, claims, ctx);
    const extracted = performance.now();
    const warnings = await readScannedPages(bytes, pages);
    const ocred = performance.now();

    const chunks = chunkPages(pages);
    const chunked = performance.now();
    if (chunks.length === 0) {
      throw new PermanentJobError(
        geminiConfigured()
          ? "No text could be read from this PDF, not even by OCR."
          : "This PDF has no selectable text (it looks scanned), and reading scans (OCR with Gemini) is not set up on this server. Upload a PDF with a text layer.",
      );
    }
    const embeddings = await embedChunks(chunks, doc.filename, ctx);
    const embedded = performance.now();

    const replaced = await writeChunks({
      claims,
      documentId,
      filename: doc.filename,
      ftsConfig: ftsConfigFor(doc.language),
      chunks,
      embeddings,
      pageCount: pages.length,
      warnings,
    });
    const written = performance.now();
    for (const path of replaced)
      await fileStorage()
        .delete(path)
        .catch(() => {});
    log.info(
      {
        document_id: documentId,
        pages: pages.length,
        chunks: chunks.length,
        embedded: embeddings !== null,
        extract_ms: Math.round(extracted - started),
        embed_ms: Math.round(embedded - extracted),
        write_ms: Math.round(performance.now() - embedded),
      },
      "document ingested",
    );
    for (const observe of ingestTimingObservers) {
      try {
        observe({
          document_id: documentId,
          pages: pages.length,
          chunks: chunks.length,
          read_ms: read - started,
          extract_ms: extracted - read,
          ocr_ms: ocred - extracted,
          chunk_ms: chunked - ocred,
          embed_ms: embedded - chunked,
          write_ms: written - embedded,
        });
      } catch {
        // an observer never fails the job
      }
    }
  },

  async onFinalFailure(job: JobRow, error: string) {
    const documentId = String(job.payload.document_id);
    await withTenant(tenant(job.customerId as string), async (tx) => {
      await tx.delete(documentChunks).where(eq(documentChunks.documentId, documentId));
      await tx
        .update(documents)
        .set({ status: "failed", error: errorText(humanReason(error)), chunkCount: 0 })
        .where(eq(documents.id, documentId));
    });
  },
};

function humanReason(error: string): string {
  if (/gemini/i.test(error)) return `Indexing failed: ${error}`;
  return error;
}

/**
 * Reads every page's text in a PDF reader process (lib/documents/pdf-text.ts): a PDF that
 * is unreadable or exceeds the reader's memory, time or text limits fails for good, with
 * the reason the reader gives.
 */
async function extractPages(bytes: Uint8Array, documentId: string, claims: Claims, ctx: JobContext) {
  const pages: PageText[] = [];
  let total = 0;
  let reported = performance.now();
  try {
    for await (const event of readPdfPages(bytes, ctx.signal)) {
      if (event.type === "opened") {
        total = event.pages;
        if (total > MAX_PDF_PAGES) {
          throw new PermanentJobError(`This PDF has ${total} pages; the limit is ${MAX_PDF_PAGES}.`);
        }
        await withTenant(claims, (tx) =>
          tx.update(documents).set({ pagesTotal: total, pageCount: total }).where(eq(documents.id, documentId)),
        );
        continue;
      }
      pages.push({ page: event.page, text: event.text });
      // Progress a person can watch, without a write per page.
      if (performance.now() - reported > 500 || event.page === total) {
        reported = performance.now();
        await withTenant(claims, (tx) =>
          tx.update(documents).set({ pagesDone: event.page }).where(eq(documents.id, documentId)),
        );
      }
    }
  } catch (err) {
    if (err instanceof PdfReadError) throw new PermanentJobError(err.message);
    throw err;
  }
  return pages;
}

/** Fills in scanned pages through Gemini OCR, or explains which pages were skipped. */
async function readScannedPages(bytes: Uint8Array, pages: PageText[]): Promise<string[]> {
  const scanned = pages.filter((p) => p.text.replace(/\s/g, "").length < MIN_PAGE_CHARS).map((p) => p.page);
  if (scanned.length === 0) return [];
  const list = formatPages(scanned);
  if (!geminiConfigured()) {
    return [
      `${list} ${scanned.length === 1 ? "has" : "have"} no selectable text (scanned?) and ${
        scanned.length === 1 ? "was" : "were"
      } skipped: reading scanned pages (OCR with Gemini) is not set up on this server. Upload a PDF with a text layer, or ask your administrator to configure Gemini.`,
    ];
  }
  try {
    const texts = await ocrPdf(bytes, scanned);
    const unread: number[] = [];
    for (const p of pages) {
      if (!scanned.includes(p.page)) continue;
      const text = texts.get(p.page)?.trim();
      if (text) p.text = text;
      else unread.push(p.page);
    }
    return unread.length > 0 ? [`${formatPages(unread)}: no text could be read, even by OCR.`] : [];
  } catch (err) {
    if (err instanceof GeminiError && err.retryable) throw err;
    return [`${list} look scanned and could not be read by OCR (${(err as Error).message}).`];
  }
}

function formatPages(pages: number[]): string {
  if (pages.length === 1) return `Page ${pages[0]}`;
  const shown = pages.slice(0, 10).join(", ");
  return `Pages ${shown}${pages.length > 10 ? ` and ${pages.length - 10} more` : ""}`;
}

async function embedChunks(chunks: Chunk[], title: string, ctx: JobContext): Promise<number[][] | null> {
  if (!geminiConfigured()) return null; // full-text only; a backfill embeds them once a key exists
  try {
    return await embedTexts(
      chunks.map((c) => c.content),
      { task: "RETRIEVAL_DOCUMENT", title, signal: ctx.signal },
    );
  } catch (err) {
    if (err instanceof GeminiError) {
      if (!err.retryable) throw new PermanentJobError(err.message);
      if (err.retryAfterMs) throw new RetryLaterError(err.message, err.retryAfterMs);
    }
    throw err;
  }
}

async function writeChunks(input: {
  claims: Claims;
  documentId: string;
  filename: string;
  ftsConfig: string;
  chunks: Chunk[];
  embeddings: number[][] | null;
  pageCount: number;
  warnings: string[];
}): Promise<string[]> {
  const { claims, documentId } = input;
  return withTenant(claims, async (tx) => {
    // The row lock makes a concurrent delete wait for us, or us see it deleted.
    const [doc] = await rows<{ id: string }>(tx, sql`select id from documents where id = ${documentId} for update`);
    if (!doc) return [];
    // A retried attempt starts from nothing: no duplicates.
    await tx.delete(documentChunks).where(eq(documentChunks.documentId, documentId));
    for (let i = 0; i < input.chunks.length; i += INSERT_BATCH) {
      await tx.insert(documentChunks).values(
        input.chunks.slice(i, i + INSERT_BATCH).map((c, j) => ({
          customerId: input.claims.customer_id,
          documentId,
          chunkIndex: c.index,
          pageStart: c.pageStart,
          pageEnd: c.pageEnd,
          pageOffsets: c.pageOffsets,
          // The reader already cleans page text; this is the last guard before the insert.
          content: pgText(c.content),
          tokenCount: c.tokenCount,
          embedding: input.embeddings?.[i + j] ?? null,
          ftsConfig: input.ftsConfig,
        })),
      );
    }
    // Re-upload under the same name: the older versions go in the same transaction,
    // so there is no moment without chunks and never two copies.
    const older = await tx
      .delete(documents)
      .where(and(eq(documents.filename, input.filename), ne(documents.id, documentId)))
      .returning({ id: documents.id, storagePath: documents.storagePath });
    if (older.length > 0) {
      await tx.delete(jobs).where(
        inArray(
          sql`${jobs.payload} ->> 'document_id'`,
          older.map((o) => o.id),
        ),
      );
    }
    await tx
      .update(documents)
      .set({
        status: "processed",
        pageCount: input.pageCount,
        pagesTotal: input.pageCount,
        pagesDone: input.pageCount,
        chunkCount: input.chunks.length,
        warnings: input.warnings,
        error: null,
      })
      .where(eq(documents.id, documentId));
    return older.map((o) => o.storagePath).filter((p): p is string => Boolean(p));
  });
}
