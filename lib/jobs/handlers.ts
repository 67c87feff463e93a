import "server-only";
import { EMBED_CHUNKS, embedChunksJob } from "@/lib/documents/embed-backfill";
import { INGEST_DOCUMENT, ingestDocumentJob } from "@/lib/documents/ingest-document";
import { DELETE_ORPHAN_FILE, deleteOrphanFileJob } from "@/lib/documents/orphan-files";
import { PURGE_CUSTOMER, purgeCustomerJob } from "@/lib/gdpr/account-deletion";
import { DELIVER_WEBHOOK_EVENT, deliverWebhookEventJob } from "@/lib/outbound-webhooks/webhook-events";
import { ANSWER_MESSAGE, answerMessageJob } from "@/lib/rag/answer-message-job";
import type { JobHandler } from "./run-jobs";

/** Every job kind and the code that runs it. */
export const jobHandlers: Record<string, JobHandler> = {
  [INGEST_DOCUMENT]: ingestDocumentJob,
  [EMBED_CHUNKS]: embedChunksJob,
  [ANSWER_MESSAGE]: answerMessageJob,
  [PURGE_CUSTOMER]: purgeCustomerJob,
  [DELIVER_WEBHOOK_EVENT]: deliverWebhookEventJob,
  [DELETE_ORPHAN_FILE]: deleteOrphanFileJob,
};
