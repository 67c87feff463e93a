import "server-only";
import { and, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { type Claims, type Tx, withTenant } from "@/lib/db/client";
import { replySends } from "@/lib/db/schema";
import type { Answer } from "./answer-question";

/**
 * Delivery of a WhatsApp reply across crashes (docs/architecture.md, "Replies: at most one
 * per message"). ManyChat has no idempotency key, so a send whose outcome we never saw may
 * or may not have reached the customer. What this file guarantees instead:
 *
 * - The reply's exact texts are committed (`reply_sends`) before the first HTTP request,
 *   and the row is deleted in the same transaction that records the outcome. A retried
 *   job that finds its row sends those same texts again, never a new answer; one that
 *   finds none (and no pending message) has nothing left to send.
 * - A tenant has at most MANYCHAT_SENDS_PER_TENANT sends in flight in one process, each
 *   holding its slot until its outcome is committed. Only a send holding a slot can be
 *   repeated after a crash, so a crash causes at most that many duplicates per tenant
 *   (default 1), and none for a reply whose outcome was recorded.
 */
export interface StoredReply {
  /** "answer": the generated answer; "limit": the tenant's limit text (plan used up). */
  kind: "answer" | "limit";
  /** The WhatsApp messages, as sent. */
  parts: string[];
  /** The inbound messages this reply answers, oldest first. */
  message_ids: string[];
  question: string;
  answered?: boolean;
  mode?: Answer["mode"];
  sources?: Answer["sources"];
  tokens?: Answer["usage"];
  /** When the answer's work began (ms since the epoch): its latency runs to the record. */
  started_at?: number;
}

/** Commits the reply before it is sent (its own transaction: it must survive the send's crash). */
export async function storeReply(claims: Claims, jobId: string, subscriberId: string, reply: StoredReply) {
  await withTenant(claims, (tx) =>
    tx.insert(replySends).values({
      customerId: claims.customer_id,
      jobId,
      subscriberId,
      reply: reply as unknown as Record<string, unknown>,
    }),
  );
}

/** The reply this job committed and has not recorded the outcome of: its send may have been in flight. */
export async function storedReply(claims: Claims, jobId: string): Promise<StoredReply | null> {
  const [row] = await withTenant(claims, (tx) =>
    tx
      .select({ reply: replySends.reply })
      .from(replySends)
      .where(and(eq(replySends.jobId, jobId), eq(replySends.customerId, claims.customer_id))),
  );
  return row ? (row.reply as unknown as StoredReply) : null;
}

/**
 * Part of the transaction that records the outcome: from then on the reply is never sent
 * again. Throws ReplyAlreadyRecorded (rolling the record back) when a stored reply is gone:
 * another run of the same job (one that took over an expired lease) recorded it first.
 */
export async function forgetReply(tx: Tx, jobId: string, opts: { stored: boolean }) {
  const deleted = await tx.delete(replySends).where(eq(replySends.jobId, jobId)).returning({ id: replySends.id });
  if (opts.stored && deleted.length === 0) throw new ReplyAlreadyRecorded();
}

export class ReplyAlreadyRecorded extends Error {
  override name = "ReplyAlreadyRecorded";
  constructor() {
    super("The reply's outcome was already recorded by another run of the same job.");
  }
}

// ---------------------------------------------------------------- sends in flight

interface Slots {
  active: number;
  /** Waiters in arrival order; a released slot passes straight to the first. */
  waiting: (() => void)[];
}
// One table per process: the sweeper (instrumentation) and the webhook's after-work
// (server.ts, route handlers) are separate module graphs.
const key = Symbol.for("pdf-answers.reply-send-slots");
type G = typeof globalThis & { [key]?: Map<string, Slots> };

/**
 * Runs `fn` (send, then record the outcome) holding one of the tenant's send slots.
 * Throws the signal's reason if the job lost its lease while waiting: another worker
 * owns the reply then.
 */
export async function withSendSlot<T>(customerId: string, signal: AbortSignal | undefined, fn: () => Promise<T>) {
  const g = globalThis as G;
  g[key] ??= new Map();
  const all = g[key];
  let slots = all.get(customerId);
  if (!slots) {
    slots = { active: 0, waiting: [] };
    all.set(customerId, slots);
  }
  const held = slots;
  if (held.active < config().MANYCHAT_SENDS_PER_TENANT) held.active++;
  else await new Promise<void>((resolve) => held.waiting.push(resolve));
  try {
    signal?.throwIfAborted();
    return await fn();
  } finally {
    const next = held.waiting.shift();
    if (next) next();
    else if (--held.active === 0) all.delete(customerId);
  }
}
