import "server-only";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { decryptSecret } from "@/lib/crypto/secret-box";
import { type Claims, rows, withTenant } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { SIMULATOR_NAME, SIMULATOR_SUBSCRIBER_ID } from "@/lib/manychat/simulator";
import { acknowledgeWebhook, answerAfterAck, type WebhookAck } from "@/lib/manychat/webhook-handler";
import { splitMessages } from "@/lib/manychat/whatsapp-format";
import type { AnswerSource } from "./answer-question";

/** The same limits as a ManyChat delivery's text (lib/manychat/inbound-payload.ts). */
export const simulateSchema = z.object({
  text: z.string().trim().min(1, "is empty").max(4096, "is longer than 4,096 characters"),
});

export type SimulatedStatus = "pending" | "answered" | "unanswered" | "failed" | "limited";

export interface SimulatedMessage {
  message_id: string;
  subscriber_id: string;
  /** Exactly what the webhook answers ManyChat at once. */
  acknowledgement: WebhookAck["body"];
  /** The customer's message: "pending" when the answer was not ready in time (it still comes). */
  status: SimulatedStatus;
  /** The answer as WhatsApp would show it, null while pending. */
  reply: {
    id: string;
    messages: string[];
    sources: AnswerSource[];
    latency_ms: number | null;
    created_at: string;
  } | null;
  /** Why the message failed, in the pipeline's words. */
  error: string | null;
}

/** How long the request waits for the answer beyond the burst window (then: "pending"). */
const REPLY_WAIT_MS = 25_000;
const POLL_MS = 200;

/**
 * The dashboard's "Simulate a WhatsApp message": the message goes through the webhook's
 * own acceptance (the tenant's secret, the payload, deduplication, the inbound row and
 * its answer job), the job runs once the burst window has passed, exactly as after a
 * ManyChat delivery, and the reply comes back in the response. The answer job recognises the
 * simulator's subscriber and records the reply without sending it through ManyChat.
 */
export async function simulateMessage(
  identity: Identity,
  input: z.output<typeof simulateSchema>,
  opts: { idempotencyKey?: string | null } = {},
): Promise<SimulatedMessage> {
  const claims = tenantClaims(identity);
  const secret = await withTenant(claims, async (tx) => {
    const [customer] = await tx
      .select({ sealed: customers.webhookSecretEncrypted })
      .from(customers)
      .where(eq(customers.id, claims.customer_id));
    if (!customer) throw notFound("Customer");
    return decryptSecret(customer.sealed);
  });
  // Exactly what ManyChat's External Request sends (the body the dashboard tells tenants to
  // paste), through the webhook's own code. A key of its own for every simulated message:
  // asking the same thing twice within a minute asks twice (the webhook would take the
  // second for a repeated delivery).
  const headers: Record<string, string> = {
    "x-webhook-secret": secret,
    "idempotency-key": `simulator:${opts.idempotencyKey ?? randomUUID()}`,
  };
  const ack = await acknowledgeWebhook(
    (name) => headers[name.toLowerCase()],
    JSON.stringify({ subscriber_id: SIMULATOR_SUBSCRIBER_ID, text: input.text, first_name: SIMULATOR_NAME }),
  );
  // What after() does once the webhook has answered, awaited here.
  await answerAfterAck(ack);
  // The job may have been taken by the sweeper, or be waiting for a retry: poll its record.
  const messageId = ack.body.message_id;
  const outcome = await waitForOutcome(claims, messageId, Date.now() + REPLY_WAIT_MS);
  return {
    message_id: messageId,
    subscriber_id: SIMULATOR_SUBSCRIBER_ID,
    acknowledgement: ack.body,
    status: outcome.status,
    reply: outcome.reply_id
      ? {
          id: outcome.reply_id,
          // The job stores the messages it sends joined by a blank line; each is at most
          // 4,096 characters, so a reply of one message (nearly all) splits back exactly.
          messages: splitMessages(outcome.reply_content ?? ""),
          sources: readSources(outcome.reply_sources),
          latency_ms: outcome.reply_latency_ms,
          created_at: new Date(outcome.reply_created_at as string).toISOString(),
        }
      : null,
    error: outcome.status === "failed" ? outcome.error : null,
  };
}

interface OutcomeRow {
  status: SimulatedStatus;
  error: string | null;
  reply_id: string | null;
  reply_content: string | null;
  reply_sources: unknown;
  reply_latency_ms: number | null;
  reply_created_at: string | Date | null;
}

/**
 * The message's status and, once it is settled, its reply: the first outbound message of
 * the simulator after it (a burst of messages shares one reply, linked to the newest).
 */
async function waitForOutcome(claims: Claims, messageId: string, deadline: number): Promise<OutcomeRow> {
  for (;;) {
    const [row] = await withTenant(claims, (tx) =>
      rows<OutcomeRow>(
        tx,
        sql`select m.status, m.error, r.id as reply_id, r.content as reply_content, r.sources as reply_sources,
              r.latency_ms as reply_latency_ms, r.created_at as reply_created_at
            from messages m
            left join lateral (
              select o.id, o.content, o.sources, o.latency_ms, o.created_at from messages o
              where m.status <> 'pending' and o.subscriber_id = m.subscriber_id and o.direction = 'outbound'
                and o.created_at >= m.created_at
              order by o.created_at, o.id
              limit 1
            ) r on true
            where m.id = ${messageId}`,
      ),
    );
    if (!row) throw notFound("Message");
    if (row.status !== "pending" || Date.now() >= deadline) return row;
    await sleep(POLL_MS);
  }
}

/** Sources as the job stored them (jsonb): the well-formed ones. */
function readSources(value: unknown): AnswerSource[] {
  const list = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (s): s is AnswerSource =>
      typeof s === "object" && s !== null && typeof s.filename === "string" && typeof s.page === "number",
  );
}
