import "server-only";
import { sql } from "drizzle-orm";
import { rows, withTenant } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { readBodyCapped } from "@/lib/http/read-body";
import { fileStorage } from "@/lib/storage";
import { LocalFileStorage, verifyUploadToken } from "@/lib/storage/local-storage";

/**
 * PUT /api/v1/storage/upload?token=…: the embedded mode's stand-in for a storage
 * service's signed upload URL. A URL is single-use and bound to what was declared for it:
 * - the token (HMAC-signed, 2 h) names one object, its exact size and its type: another
 *   size (413 larger, 422 otherwise) or another Content-Type (415) is refused;
 * - its document must still be waiting for its bytes: deleted (404), completed or
 *   abandoned (409) documents refuse it;
 * - the object is created, never replaced: once bytes were stored, the URL is spent (409).
 * The bytes are written and flushed first; the object appears (a hard link) while the
 * document row is locked, so a concurrent delete or /complete sees either no object or
 * the whole one, and a delete that wins leaves no file behind.
 */
export async function receiveLocalUpload(req: Request): Promise<void> {
  const token = new URL(req.url).searchParams.get("token");
  const grant = verifyUploadToken(token);
  if (!grant) throw new AppError("unauthenticated", "This upload URL is invalid or has expired. Request a new one.");

  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== grant.contentType) {
    throw new AppError(
      "unsupported_media_type",
      `This upload URL takes ${grant.contentType}; the request was sent as ${type || "no Content-Type"}.`,
    );
  }
  const declared = req.headers.get("content-length");
  if (declared !== null) assertGrantedSize(Number(declared), grant.sizeBytes);
  const bytes = await readBodyCapped(
    req,
    grant.sizeBytes,
    `This upload URL was issued for ${grant.sizeBytes} bytes; the request carries more. Request a new URL with the file's size.`,
  );
  assertGrantedSize(bytes.byteLength, grant.sizeBytes);

  const storage = fileStorage();
  if (!(storage instanceof LocalFileStorage)) {
    // Only the local storage hands out URLs to this route.
    throw new AppError("not_found", "Uploads go straight to the storage service on this server.");
  }
  const [customerId, file] = grant.path.split("/") as [string, string];
  const documentId = file.replace(/\.pdf$/, "");
  const staged = await storage.stage(grant.path, bytes, grant.contentType);
  try {
    await withTenant({ role: "authenticated", customer_id: customerId }, async (tx) => {
      const [doc] = await rows<{ status: string; sha256: string | null; storage_path: string | null }>(
        tx,
        sql`select status, sha256, storage_path from documents where id = ${documentId} for update`,
      );
      if (!doc) {
        throw new AppError("not_found", "The document this upload URL was issued for no longer exists.");
      }
      // Completed (processed, failed, or its unusable bytes removed) or abandoned.
      if (doc.status !== "pending" || doc.sha256 !== null || doc.storage_path !== grant.path) {
        throw new AppError("conflict", "This upload URL was already used: its upload was completed.", {
          status: doc.status,
        });
      }
      if (!(await staged.publish())) {
        throw new AppError(
          "conflict",
          "This upload URL was already used: a file was stored through it. Call /complete, or request a new URL.",
        );
      }
    });
  } finally {
    await staged.discard();
  }
}

function assertGrantedSize(size: number, granted: number): void {
  if (size > granted) {
    throw new AppError(
      "payload_too_large",
      `This upload URL was issued for ${granted} bytes; the request carries more. Request a new URL with the file's size.`,
      { declared_size_bytes: granted },
    );
  }
  if (size !== granted) {
    throw new AppError(
      "validation_failed",
      `This upload URL was issued for ${granted} bytes; the request carries ${Number.isFinite(size) ? size : "an invalid length"}.`,
      [{ path: "body", message: `must be exactly ${granted} bytes` }],
    );
  }
}
