import "server-only";
import { sql } from "drizzle-orm";
import { closeBillingPeriods } from "@/lib/billing/period-close";
import { endExpiredGracePeriods } from "@/lib/billing/stripe/grace-period";
import { reportOverageUsage } from "@/lib/billing/stripe/report-overage";
import { asService, rows } from "@/lib/db/client";
import { queueEmbeddingBackfill } from "@/lib/documents/embed-backfill";
import { deleteExpiredMessages } from "@/lib/gdpr/message-retention";
import { failInterruptedQuestions } from "@/lib/rag/stale-questions";
import { fileStorage } from "@/lib/storage";

/**
 * Periodic upkeep, about once a minute: by the in-process sweeper when self-hosted, by the
 * cron endpoint on Vercel. Direct uploads never completed end failed; chunks stored
 * without embeddings get them once a Gemini key exists; messages past their tenant's
 * retention are deleted; ended billing periods get their billing records
 * (lib/billing/period-close.ts).
 */
export async function runMaintenance(): Promise<{ abandoned_uploads: number; expired_messages: number }> {
  const abandoned = await failAbandonedUploads();
  await queueEmbeddingBackfill();
  const expired = await deleteExpiredMessages();
  // API questions cut off mid-answer end failed and give their request back.
  await failInterruptedQuestions();
  await closeBillingPeriods();
  // Stripe (lib/billing/stripe): failed payments past their grace period end on the
  // default plan; settled overage requests become Billing Meter events.
  await endExpiredGracePeriods();
  await reportOverageUsage();
  return { abandoned_uploads: abandoned, expired_messages: expired };
}

/**
 * Direct uploads never completed end visibly failed once their URL expired (2 h), and
 * whatever bytes did arrive are removed: no URL can bring them back by then, and a file
 * no document will use must not sit in storage (nor count against the plan).
 */
export async function failAbandonedUploads(): Promise<number> {
  const failed = await asService("sweeper maintenance: abandoned direct uploads", (tx) =>
    rows<{ id: string; storage_path: string | null }>(
      tx,
      sql`update documents d set status = 'failed', error = 'The upload was never completed. Upload the file again.',
                 storage_path = null
          from documents prev
          where d.id = prev.id and d.status = 'pending' and d.sha256 is null
            and d.upload_date < now() - interval '3 hours'
          returning d.id, prev.storage_path`,
    ),
  );
  const storage = fileStorage();
  for (const row of failed) if (row.storage_path) await storage.delete(row.storage_path).catch(() => {});
  return failed.length;
}
