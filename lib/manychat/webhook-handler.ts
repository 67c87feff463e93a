import "server-only";
import { AppError } from "@/lib/http/errors";
import { assertStorableText, zodIssues } from "@/lib/http/parse";
import { runJobNow } from "@/lib/jobs/run-jobs";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { reportError } from "@/lib/report-error";
import { acceptInbound } from "./accept-inbound";
import { inboundPayloadSchema } from "./inbound-payload";

/** Larger webhook bodies are refused with 413 (a Full Contact Data body is a few KB). */
export const MAX_WEBHOOK_BODY = 64 * 1024;
export const WEBHOOK_PATH = "/api/v1/webhook/manychat";

export interface WebhookAck {
  /** ManyChat's v2 WhatsApp response carrying the tenant's acknowledgement text. */
  body: {
    version: "v2";
    content: {
      type: "whatsapp";
      messages: { type: "text"; text: string }[];
      actions: [];
      quick_replies: [];
    };
    status: "accepted";
    message_id: string;
  };
  /** The tenant the secret belongs to (for the request's log line). */
  customerId: string;
  /** The answer job to run once the response is sent (null for a duplicate delivery). */
  jobId: string | null;
  /** When the burst window closes and the answer may be produced. */
  answerAt: Date | null;
}

/**
 * The webhook's whole acknowledgement path, independent of the HTTP server: the secret
 * from `X-Webhook-Secret` (or `Authorization: Bearer`), the body parsed and validated,
 * then one statement that finds the tenant, deduplicates and stores the message with its
 * answer job. Errors are AppErrors (401, 413, 422, 403) for the caller's error envelope.
 * Used by the Next.js route (app/api/v1/webhook/manychat) and, when self-hosted, by the
 * server's direct webhook path (server.ts).
 */
export async function acknowledgeWebhook(
  header: (name: string) => string | null | undefined,
  rawBody: string,
): Promise<WebhookAck> {
  const secret = header("x-webhook-secret") ?? /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1];
  if (!secret?.trim()) {
    throw new AppError("unauthenticated", "Send the webhook secret in the X-Webhook-Secret header.");
  }
  if (rawBody.length > MAX_WEBHOOK_BODY) {
    throw new AppError("payload_too_large", "The webhook body is larger than 64 KB.");
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new AppError("validation_failed", "The body is not JSON.", [
      { path: "(body)", message: "is not valid JSON" },
    ]);
  }
  const parsed = inboundPayloadSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Send {subscriber_id, text} or ManyChat's Full Contact Data (id, last_input_text).",
      zodIssues(parsed.error),
    );
  }
  // What is stored must fit in PostgreSQL text (no NUL); other fields of the body are ignored.
  assertStorableText(parsed.data);
  const idempotencyKey = header("idempotency-key")?.slice(0, 200) || null;
  const accepted = await acceptInbound(secret.trim(), parsed.data, idempotencyKey);
  return {
    body: {
      version: "v2",
      content: {
        type: "whatsapp",
        messages: [{ type: "text", text: accepted.ackText }],
        actions: [],
        quick_replies: [],
      },
      status: "accepted",
      message_id: accepted.messageId,
    },
    customerId: accepted.customerId,
    jobId: accepted.jobId,
    answerAt: accepted.answerAt,
  };
}

/** The acknowledgement's latency, by server: "direct" (server.ts) or "next" (the Next.js route). */
export function recordWebhookAck(server: "direct" | "next", status: number, startedMs: number): void {
  metrics().webhookAck.observe({ server, status: String(status) }, (performance.now() - startedMs) / 1000);
}

/**
 * Produces the answer after the acknowledgement: waits for the burst window to close,
 * then runs the job now. Never throws: it runs after the response (after() or server.ts),
 * where nothing would report an error, so it logs and reports it itself (runJobNow does
 * the same for the job's own failures). If the process dies first, the job is durable
 * and the sweeper runs it.
 */
export async function answerAfterAck(ack: Pick<WebhookAck, "jobId" | "answerAt">): Promise<void> {
  if (!ack.jobId) return;
  try {
    const wait = ack.answerAt ? ack.answerAt.getTime() - Date.now() : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await runJobNow(ack.jobId);
  } catch (err) {
    log.error({ err, job_id: ack.jobId }, "answering after the acknowledgement failed");
    await reportError(err, { where: "answerAfterAck", job_id: ack.jobId });
  }
}
