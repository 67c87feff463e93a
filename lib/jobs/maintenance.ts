import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";
import { queueEmbeddingBackfill } from "@/lib/documents/embed-backfill";
import { deleteExpiredMessages } from "@/lib/gdpr/message-retention";

/**
 * Periodic upkeep, about once a minute: by the in-process sweeper when self-hosted, by the
 * cron endpoint on Vercel. Direct uploads never completed end failed; chunks stored
 * without embeddings get them once a Gemini key exists; messages past their tenant's
 * retention are deleted.
 */
export async function runMaintenance(): Promise<{ abandoned_uploads: number; expired_messages: number }> {
  const abandoned = await failAbandonedUploads();
  await queueEmbeddingBackfill();
  const expired = await deleteExpiredMessages();
  return { abandoned_uploads: abandoned, expired_messages: expired };
}

/** Direct uploads whose bytes never arrived end visibly failed once their URL expired. */
export async function failAbandonedUploads(): Promise<number> {
  const failed = await asService("sweeper maintenance: abandoned direct uploads", (tx) =>
    rows(
      tx,
      sql`update documents set status = 'failed', error = 'The upload was never completed. Upload the file again.'
          where status = 'pending' and sha256 is null and upload_date < now() - interval '3 hours'
          returning id`,
    ),
  );
  return failed.length;
}
