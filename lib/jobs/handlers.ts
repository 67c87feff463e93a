import "server-only";
import { INGEST_DOCUMENT, ingestDocumentJob } from "@/lib/documents/ingest-document";
import type { JobHandler } from "./run-jobs";

/** Every job kind and the code that runs it. */
export const jobHandlers: Record<string, JobHandler> = {
  [INGEST_DOCUMENT]: ingestDocumentJob,
};
