import "server-only";
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { eq } from "drizzle-orm";
import { decryptSecret } from "@/lib/crypto/secret-box";
import { type Tx, withTenant } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";
import { PermanentJobError } from "@/lib/jobs/job-errors";
import { enqueueJob } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";
import { assertPublicLiteralHost, PrivateAddressError, publicOnlyLookup } from "./public-address";
import { SIGNATURE_HEADER, signatureHeader, signingSecretFor } from "./signing";

/**
 * Outbound events to the tenant's own `webhook_url`: when a WhatsApp message is
 * answered, unanswered (the documents do not cover it) or failed, a JSON event
 * `{id, type, created_at, data}` is POSTed there, signed (./signing.ts). Each event is a
 * durable job inserted in the same transaction as the outcome it reports, so it is sent
 * even if the process dies, and retried with backoff until the receiver answers 2xx.
 */
export const DELIVER_WEBHOOK_EVENT = "deliver_webhook_event";
export type WebhookEventType = "message.answered" | "message.unanswered" | "message.failed" | "message.limited";

export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  created_at: string;
  data: Record<string, unknown>;
}

const DELIVERY_TIMEOUT_MS = 10_000;
// With the queue's backoff (doubling from JOB_RETRY_BASE_MS, at most 5 min): about 20 minutes of retries.
const MAX_ATTEMPTS = 12;

/** Queues an event inside the caller's tenant transaction (a no-op without a webhook_url). */
export async function enqueueWebhookEvent(
  tx: Tx,
  customerId: string,
  webhookUrl: string | null,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<string | null> {
  if (!webhookUrl) return null;
  const event: WebhookEvent = { id: randomUUID(), type, created_at: new Date().toISOString(), data };
  return enqueueJob(tx, { customerId, kind: DELIVER_WEBHOOK_EVENT, payload: { event }, maxAttempts: MAX_ATTEMPTS });
}

export const deliverWebhookEventJob: JobHandler = {
  async run(job) {
    const customerId = job.customerId as string;
    const target = await withTenant({ role: "authenticated", customer_id: customerId }, async (tx) => {
      const [row] = await tx
        .select({ url: customers.webhookUrl, secret: customers.webhookSecretEncrypted, status: customers.status })
        .from(customers)
        .where(eq(customers.id, customerId));
      return row;
    });
    // The URL was removed (or the workspace closed) since: there is no one to tell.
    if (!target?.url || target.status !== "active") return;
    const body = JSON.stringify(job.payload.event);
    const signingSecret = signingSecretFor(decryptSecret(target.secret));
    const event = job.payload.event as WebhookEvent;
    let status: number;
    try {
      status = await postSigned(target.url, body, signingSecret, event);
    } catch (err) {
      if (err instanceof PrivateAddressError) {
        throw new PermanentJobError(`The webhook URL was refused: ${err.message}`);
      }
      throw err;
    }
    if (status < 200 || status >= 300) throw new Error(`The webhook URL answered HTTP ${status}.`);
  },
};

/** One POST, no redirects followed, connected only to a checked public address. */
function postSigned(rawUrl: string, body: string, signingSecret: string, event: WebhookEvent): Promise<number> {
  const url = new URL(rawUrl);
  assertPublicLiteralHost(url);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "POST",
        lookup: publicOnlyLookup,
        // The whole exchange, a slow trickle of a response included.
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "PDF-Answers-Webhooks/1",
          "x-pdfanswers-event": event.type,
          "x-pdfanswers-delivery": event.id,
          [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(signingSecret, body, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        // The body is of no interest; read it so the socket is released.
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", (err) =>
      reject(
        err.name === "AbortError" || err.name === "TimeoutError"
          ? new Error(`No complete answer from the webhook URL within ${DELIVERY_TIMEOUT_MS} ms.`)
          : err,
      ),
    );
    req.end(body);
  });
}
