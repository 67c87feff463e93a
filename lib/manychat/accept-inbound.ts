import "server-only";
import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { sha256Hex } from "@/lib/crypto/secret-box";
import { database, rows } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import type { InboundMessage } from "./inbound-payload";

export interface AcceptedInbound {
  customerId: string;
  messageId: string;
  ackText: string;
  duplicate: boolean;
  answerAt: Date | null;
  jobId: string | null;
}

/**
 * The acknowledgement path: one statement (private.accept_inbound_message) finds the
 * tenant by its secret, deduplicates, applies the per-tenant and per-subscriber rate
 * limits and stores the message with its answer job. Over a limit the message is stored
 * all the same, its answer due when the window has room, and the caller gets 429.
 */
export async function acceptInbound(
  secret: string,
  message: InboundMessage,
  idempotencyKey: string | null,
): Promise<AcceptedInbound> {
  const { db } = await database();
  const limits = config();
  const [row] = await rows<{
    customer_id: string;
    customer_status: string;
    message_id: string | null;
    ack_text: string;
    duplicate: boolean;
    answer_at: string | Date | null;
    job_id: string | null;
    limited_by: "tenant" | "subscriber" | null;
    retry_after: number | null;
  }>(
    db,
    sql`select * from private.accept_inbound_message(${sha256Hex(secret)}, ${message.subscriberId}, ${message.text},
          ${message.phone}, ${message.name}, ${idempotencyKey},
          ${limits.WEBHOOK_RATE_LIMIT_PER_TENANT}::integer, ${limits.WEBHOOK_RATE_LIMIT_PER_SUBSCRIBER}::integer)`,
  );
  if (!row) throw new AppError("unauthenticated", "Wrong webhook secret.");
  if (!row.message_id) {
    throw new AppError("forbidden", "This workspace is not active; messages are not being answered.");
  }
  if (row.limited_by) {
    // Stored, with its answer due once the window has room: refused in words, never lost.
    const retryAfter = Math.max(1, row.retry_after ?? 60);
    throw new AppError(
      "rate_limited",
      row.limited_by === "tenant"
        ? `Too many messages for this workspace this minute. The message is stored and will be answered in about ${retryAfter} seconds.`
        : `Too many messages from this subscriber this minute. The message is stored and will be answered in about ${retryAfter} seconds.`,
      { limit: row.limited_by, message_id: row.message_id, retry_after_seconds: retryAfter },
      { headers: { "retry-after": String(retryAfter) } },
    );
  }
  return {
    customerId: row.customer_id,
    messageId: row.message_id,
    ackText: row.ack_text,
    duplicate: row.duplicate,
    answerAt: row.answer_at ? new Date(row.answer_at) : null,
    jobId: row.job_id,
  };
}
