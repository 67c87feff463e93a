import "server-only";
import { eq, sql } from "drizzle-orm";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { withTenant } from "@/lib/db/client";
import { documents, jobs } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { fileStorage } from "@/lib/storage";
import { scheduleOrphanSweep } from "./orphan-files";

/**
 * Deletes a document: its chunks (cascade), pending jobs, stored file and upload grant go
 * with it.
 */
export async function deleteDocument(identity: Identity, id: string, meta: RequestMeta): Promise<void> {
  const claims = tenantClaims(identity);
  const deleted = await withTenant(claims, async (tx) => {
    const [row] = await tx.delete(documents).where(eq(documents.id, id)).returning({
      id: documents.id,
      filename: documents.filename,
      storagePath: documents.storagePath,
      uploadDate: documents.uploadDate,
    });
    if (!row) throw notFound("Document");
    // An upload URL of this document refuses from now on (the embedded route finds no
    // document); one Supabase Storage still honours gets its path removed after expiry.
    await scheduleOrphanSweep(tx, {
      customerId: claims.customer_id,
      storagePath: row.storagePath,
      issuedAt: row.uploadDate,
    });
    await tx.delete(jobs).where(sql`${jobs.payload} ->> 'document_id' = ${id} and ${jobs.status} <> 'running'`);
    await recordAudit(tx, {
      action: "document.deleted",
      actor: identity,
      customerId: claims.customer_id,
      targetType: "document",
      targetId: id,
      meta,
      metadata: { filename: row.filename },
    });
    return row;
  });
  if (deleted.storagePath) await fileStorage().delete(deleted.storagePath);
}
