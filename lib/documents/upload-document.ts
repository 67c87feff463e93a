import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, type Tx, withTenant } from "@/lib/db/client";
import { documents } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { enqueueJob } from "@/lib/jobs/job-queue";
import { log } from "@/lib/log";
import { fileStorage } from "@/lib/storage";
import { INGEST_DOCUMENT } from "./ingest-document";
import { MAX_PDF_BYTES, MAX_PDF_PAGES } from "./limits";
import { scheduleOrphanSweep } from "./orphan-files";
import { countPdfPages, PdfReadError } from "./pdf-text";
import { type DocumentView, documentView } from "./read-documents";

/**
 * Accepting a PDF: every cheap check (magic bytes, size, plan storage, duplicate
 * content, page count) happens before the bytes are stored; then the document row and
 * its ingestion job are written in one transaction. The caller runs the job in after().
 */
export interface Accepted {
  document: DocumentView;
  jobId: string | null;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = [...base]
    .filter((ch) => {
      const code = ch.charCodeAt(0);
      return code >= 0x20 && code !== 0x7f; // no control characters
    })
    .join("")
    .trim()
    .slice(0, 255);
  return clean || "document.pdf";
}

export function assertPdfBytes(bytes: Uint8Array): void {
  // Acrobat accepts the header anywhere in the first 1024 bytes; so do we.
  const head = Buffer.from(bytes.subarray(0, 1024)).toString("latin1");
  if (!head.includes("%PDF-")) {
    throw new AppError("unsupported_media_type", "This file is not a PDF. Upload a .pdf document.");
  }
}

export function assertSize(size: number): void {
  if (size > MAX_PDF_BYTES) {
    throw new AppError("payload_too_large", `This file is ${mb(size)}; the limit is ${mb(MAX_PDF_BYTES)} per PDF.`);
  }
  if (size === 0)
    throw new AppError("validation_failed", "The file is empty.", [{ path: "file", message: "is empty" }]);
}

/**
 * Plan storage: the tenant's stored files plus this one must fit. Counted from what is
 * stored: a document's size_bytes is measured from its stored object at /complete (or is
 * the size its upload URL is bound to while it waits for its bytes), and a document with
 * no stored object (storage_path null) counts nothing, whatever its status.
 */
async function assertStorage(tx: Tx, size: number, exceptId?: string): Promise<void> {
  const [usage] = await rows<{ used: string | number; limit_mb: number }>(
    tx,
    sql`select coalesce((select sum(size_bytes) from documents
                          where storage_path is not null and (${exceptId ?? null}::uuid is null or id <> ${exceptId ?? null}::uuid)), 0) as used,
               s.storage_limit_mb as limit_mb
        from customers c join subscriptions s on s.id = c.subscription_id
        where c.id = (select private.customer_id())`,
  );
  if (!usage) throw notFound("Customer");
  const limit = usage.limit_mb * 1024 * 1024;
  if (Number(usage.used) + size > limit) {
    throw new AppError(
      "payload_too_large",
      `This upload would exceed your plan's storage: ${mb(Number(usage.used))} of ${usage.limit_mb} MB used, this file is ${mb(size)}. Delete documents or upgrade your plan.`,
      { storage_used_bytes: Number(usage.used), storage_limit_mb: usage.limit_mb },
    );
  }
}

async function assertNotDuplicate(tx: Tx, sha256: string, exceptId?: string): Promise<void> {
  const [existing] = await tx
    .select({ id: documents.id, filename: documents.filename })
    .from(documents)
    .where(
      and(
        eq(documents.sha256, sha256),
        ne(documents.status, "failed"),
        exceptId ? ne(documents.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (existing) {
    throw new AppError("conflict", `This file is already uploaded as "${existing.filename}".`, {
      document_id: existing.id,
      filename: existing.filename,
    });
  }
}

/**
 * Opens the PDF just enough to count pages, in a PDF reader process with its memory and
 * time limits (lib/documents/pdf-text.ts): unreadable files, and files over a limit,
 * become a failed document with the reason. Should the reader itself fail (it could not
 * start), the upload is accepted and the ingestion job, which reads the file again with
 * retries, gives the verdict.
 */
async function inspectPdf(bytes: Uint8Array): Promise<{ pages: number | null } | { failure: string }> {
  let pages: number;
  try {
    pages = await countPdfPages(bytes);
  } catch (err) {
    if (err instanceof PdfReadError) return { failure: err.message };
    log.warn({ err }, "the PDF reader failed while counting pages; the ingestion job will read the file");
    return { pages: null };
  }
  if (pages > MAX_PDF_PAGES) {
    throw new AppError("validation_failed", `This PDF has ${pages} pages; the limit is ${MAX_PDF_PAGES}.`, [
      { path: "file", message: `has ${pages} pages (at most ${MAX_PDF_PAGES})` },
    ]);
  }
  return { pages };
}

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** POST /documents/upload: the whole file arrived in the request. */
export async function acceptUpload(
  identity: Identity,
  file: { name: string; bytes: Uint8Array },
  meta: RequestMeta | null = null,
): Promise<Accepted> {
  const claims = tenantClaims(identity);
  const customerId = claims.customer_id;
  const filename = cleanFilename(file.name);
  assertSize(file.bytes.byteLength);
  assertPdfBytes(file.bytes);
  const sha256 = sha256Of(file.bytes);
  await withTenant(claims, async (tx) => {
    await assertStorage(tx, file.bytes.byteLength);
    await assertNotDuplicate(tx, sha256);
  });
  const inspected = await inspectPdf(file.bytes);
  const id = randomUUID();
  if ("failure" in inspected) {
    // Kept, visibly failed, with the reason; the unusable bytes are not stored.
    const [row] = await withTenant(claims, (tx) =>
      tx
        .insert(documents)
        .values({
          id,
          customerId,
          filename,
          sizeBytes: file.bytes.byteLength,
          sha256,
          status: "failed",
          error: inspected.failure,
        })
        .returning(),
    );
    return { document: documentView(row as typeof documents.$inferSelect), jobId: null };
  }
  const storagePath = `${customerId}/${id}.pdf`;
  await fileStorage().put(storagePath, file.bytes, "application/pdf");
  return withTenant(claims, async (tx) => {
    const [row] = await tx
      .insert(documents)
      .values({
        id,
        customerId,
        filename,
        storagePath,
        sizeBytes: file.bytes.byteLength,
        sha256,
        pageCount: inspected.pages,
        pagesTotal: inspected.pages,
      })
      .returning();
    await recordUpload(tx, identity, id, filename, file.bytes.byteLength, meta);
    const jobId = await enqueueJob(tx, { customerId, kind: INGEST_DOCUMENT, payload: { document_id: id } });
    return { document: documentView(row as typeof documents.$inferSelect), jobId };
  });
}

/** The audit entry of an accepted upload, in the transaction that records the document. */
function recordUpload(
  tx: Tx,
  identity: Identity,
  id: string,
  filename: string,
  size: number,
  meta: RequestMeta | null,
) {
  return recordAudit(tx, {
    action: "document.uploaded",
    actor: identity,
    customerId: identity.customerId,
    targetType: "document",
    targetId: id,
    meta,
    metadata: { filename, size_bytes: size },
  });
}

/** POST /documents/upload-url: reserve a document and hand out a direct upload URL. */
/** POST /documents/upload-url: the file about to be sent straight to storage. */
export const uploadUrlSchema = z.object({
  filename: z.string().trim().min(1).max(255),
  size_bytes: z.number().int().positive(),
});

export async function createUploadUrl(identity: Identity, input: z.output<typeof uploadUrlSchema>, origin: string) {
  const claims = tenantClaims(identity);
  const customerId = claims.customer_id;
  assertSize(input.size_bytes);
  const id = randomUUID();
  const storagePath = `${customerId}/${id}.pdf`;
  await withTenant(claims, async (tx) => {
    await assertStorage(tx, input.size_bytes);
    await tx.insert(documents).values({
      id,
      customerId,
      filename: cleanFilename(input.filename),
      storagePath,
      sizeBytes: input.size_bytes,
    });
  });
  // Bound to the declared size: the embedded route refuses any other; on Supabase Storage
  // /complete measures the stored object and refuses a size other than declared.
  const signed = await fileStorage().signedUploadUrl(storagePath, { origin, sizeBytes: input.size_bytes });
  return {
    document_id: id,
    upload_url: signed.url,
    method: signed.method,
    headers: signed.headers,
    expires_at: signed.expiresAt,
  };
}

/** POST /documents/{id}/complete: the bytes are in storage; check them and start ingestion. */
export async function completeUpload(
  identity: Identity,
  id: string,
  meta: RequestMeta | null = null,
): Promise<Accepted> {
  const claims = tenantClaims(identity);
  const [doc] = await withTenant(claims, (tx) => tx.select().from(documents).where(eq(documents.id, id)));
  if (!doc) throw notFound("Document");
  if (doc.sha256 !== null || doc.status !== "pending" || !doc.storagePath) {
    throw new AppError("conflict", "This upload was already completed.", { document_id: id, status: doc.status });
  }
  const bytes = await fileStorage().get(doc.storagePath);
  if (!bytes) {
    throw new AppError("conflict", "No file has been uploaded to the upload URL yet.", { document_id: id });
  }
  const storagePath = doc.storagePath;
  const issuedAt = doc.uploadDate;
  // Refused: the object and the reservation go; a URL Storage cannot revoke gets its path
  // removed again once it has expired (lib/documents/orphan-files.ts).
  const rejectUpload = async (err: AppError): Promise<never> => {
    await withTenant(claims, async (tx) => {
      await tx.delete(documents).where(eq(documents.id, id));
      await scheduleOrphanSweep(tx, { customerId: claims.customer_id, storagePath, issuedAt });
    });
    await fileStorage().delete(storagePath);
    throw err;
  };
  try {
    assertSize(bytes.byteLength);
    // The URL was issued for the declared size (the embedded route enforces it; Supabase
    // Storage cannot, so the stored object is measured here).
    if (bytes.byteLength !== doc.sizeBytes) {
      throw new AppError(
        "validation_failed",
        `The uploaded file is ${bytes.byteLength} bytes; ${doc.sizeBytes} were declared. Request a new upload URL with the file's size.`,
        [{ path: "size_bytes", message: `is ${doc.sizeBytes}, the stored file is ${bytes.byteLength} bytes` }],
      );
    }
    assertPdfBytes(bytes);
  } catch (err) {
    if (err instanceof AppError) await rejectUpload(err);
    throw err;
  }
  const sha256 = sha256Of(bytes);
  try {
    await withTenant(claims, async (tx) => {
      await assertStorage(tx, bytes.byteLength, id);
      await assertNotDuplicate(tx, sha256, id);
    });
  } catch (err) {
    if (err instanceof AppError) await rejectUpload(err);
    throw err;
  }
  let inspected: Awaited<ReturnType<typeof inspectPdf>>;
  try {
    inspected = await inspectPdf(bytes);
  } catch (err) {
    if (err instanceof AppError) await rejectUpload(err);
    throw err;
  }
  // Only a reservation still waiting is completed (a concurrent /complete loses with 409).
  const stillPending = and(eq(documents.id, id), isNull(documents.sha256), eq(documents.status, "pending"));
  const alreadyCompleted = () => new AppError("conflict", "This upload was already completed.", { document_id: id });
  if ("failure" in inspected) {
    // Kept, visibly failed, with the reason; the unusable bytes are not kept (as for
    // POST /documents/upload), so they count against no plan.
    const failure = inspected.failure;
    const row = await withTenant(claims, async (tx) => {
      const [updated] = await tx
        .update(documents)
        .set({ sha256, sizeBytes: bytes.byteLength, status: "failed", error: failure, storagePath: null })
        .where(stillPending)
        .returning();
      if (!updated) throw alreadyCompleted();
      await scheduleOrphanSweep(tx, { customerId: claims.customer_id, storagePath, issuedAt });
      return updated;
    });
    await fileStorage().delete(storagePath);
    return { document: documentView(row), jobId: null };
  }
  return withTenant(claims, async (tx) => {
    // size_bytes is what is stored, measured here: what the plan's storage counts.
    const [row] = await tx
      .update(documents)
      .set({ sha256, sizeBytes: bytes.byteLength, pageCount: inspected.pages, pagesTotal: inspected.pages })
      .where(stillPending)
      .returning();
    if (!row) throw alreadyCompleted();
    await recordUpload(tx, identity, id, doc.filename, bytes.byteLength, meta);
    const jobId = await enqueueJob(tx, {
      customerId: claims.customer_id,
      kind: INGEST_DOCUMENT,
      payload: { document_id: id },
    });
    return { document: documentView(row as typeof documents.$inferSelect), jobId };
  });
}
