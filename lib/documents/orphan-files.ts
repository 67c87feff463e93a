import "server-only";
import { sql } from "drizzle-orm";
import { type Claims, rows, type Tx, withTenant } from "@/lib/db/client";
import { enqueueJob } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";
import { fileStorage, UPLOAD_URL_TTL_SECONDS } from "@/lib/storage";

/**
 * Supabase Storage cannot revoke a signed upload URL: once the document it was issued for
 * is deleted (or refused at /complete) and its object removed, the URL could create the
 * object again until it expires, leaving a file no document owns. So the path is removed
 * once more after the last moment such an upload can end. (The embedded mode needs none
 * of this: its own upload route refuses URLs of documents that no longer wait for bytes.)
 */
export const DELETE_ORPHAN_FILE = "delete_orphan_file";

/**
 * Past a URL's expiry, how long an upload that started just before it may still be
 * arriving (Storage checks the token when the request starts).
 */
const LATE_UPLOAD_GRACE_SECONDS = 15 * 60;

/**
 * In the transaction that removes a document's row: when its direct-upload URL may still
 * be used, queue the removal of its path for after the URL's expiry. `issuedAt` is when
 * the document was reserved (its URL was signed just after).
 */
export async function scheduleOrphanSweep(
  tx: Tx,
  doc: { customerId: string; storagePath: string | null; issuedAt: Date | string },
): Promise<void> {
  if (!doc.storagePath || fileStorage().kind !== "supabase") return;
  const runAt = new Date(
    new Date(doc.issuedAt).getTime() + (UPLOAD_URL_TTL_SECONDS + LATE_UPLOAD_GRACE_SECONDS) * 1000,
  );
  if (runAt.getTime() <= Date.now()) return;
  await enqueueJob(tx, {
    customerId: doc.customerId,
    kind: DELETE_ORPHAN_FILE,
    payload: { storage_path: doc.storagePath },
    runAt,
  });
}

export const deleteOrphanFileJob: JobHandler = {
  async run(job) {
    const path = String(job.payload.storage_path);
    const claims: Claims = { role: "authenticated", customer_id: job.customerId as string };
    // Never a file a document still points at (paths are per document, so this is a guard).
    const [owned] = await withTenant(claims, (tx) =>
      rows(tx, sql`select 1 from documents where storage_path = ${path} limit 1`),
    );
    if (!owned) await fileStorage().delete(path);
  },
};
