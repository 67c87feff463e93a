import "server-only";
import { sql } from "drizzle-orm";
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
 * tenant by its secret, deduplicates and stores the message with its answer job.
 */
export async function acceptInbound(
  secret: string,
  message: InboundMessage,
  idempotencyKey: string | null,
): Promise<AcceptedInbound> {
  const { db } = await database();
  const [row] = await rows<{
    customer_id: string;
    customer_status: string;
    message_id: string | null;
    ack_text: string;
    duplicate: boolean;
    answer_at: string | Date | null;
    job_id: string | null;
  }>(
    db,
    sql`select * from private.accept_inbound_message(${sha256Hex(secret)}, ${message.subscriberId}, ${message.text},
          ${message.phone}, ${message.name}, ${idempotencyKey})`,
  );
  if (!row) throw new AppError("unauthenticated", "Wrong webhook secret.");
  if (!row.message_id) {
    throw new AppError("forbidden", "This workspace is not active; messages are not being answered.");
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
