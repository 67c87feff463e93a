import "server-only";
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { claimRequest, releaseRequest } from "@/lib/billing/metering";
import { decryptSecret } from "@/lib/crypto/secret-box";
import { type Claims, type Tx, withTenant } from "@/lib/db/client";
import { customers, messages, replySends } from "@/lib/db/schema";
import { RetryLaterError } from "@/lib/jobs/job-errors";
import type { JobRow } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";
import { log } from "@/lib/log";
import { ManychatError, sendWhatsAppMessages } from "@/lib/manychat/manychat-client";
import { isSimulatorSubscriber } from "@/lib/manychat/simulator";
import { formatAnswer } from "@/lib/manychat/whatsapp-format";
import { enqueueWebhookEvent } from "@/lib/outbound-webhooks/webhook-events";
import { readSettings } from "@/lib/tenants/settings";
import { answerQuestion, type Turn } from "./answer-question";
import {
  forgetReply,
  ReplyAlreadyRecorded,
  type StoredReply,
  storedReply,
  storeReply,
  withSendSlot,
} from "./reply-sends";

/**
 * Answers a subscriber's pending WhatsApp messages. Messages that arrive within the
 * tenant's burst window are answered together, once: each message's job waits the
 * window, and only the job of the newest pending message answers (all of them).
 * The reply is committed before it is sent and forgotten when its outcome is recorded
 * (./reply-sends.ts), so a retry after a crash sends the same texts again or nothing.
 */
export const ANSWER_MESSAGE = "answer_message";

const tenant = (customerId: string): Claims => ({ role: "authenticated", customer_id: customerId });

/** Who a reply goes to and how: the tenant's ManyChat key, settings and event endpoint. */
interface Recipient {
  claims: Claims;
  company: string;
  settings: ReturnType<typeof readSettings>;
  apiKey: string | null;
  /** The tenant's own endpoint for outbound events (lib/outbound-webhooks), if any. */
  webhookUrl: string | null;
}

interface Context extends Recipient {
  pending: { id: string; content: string; createdAt: string }[];
  history: Turn[];
}

async function loadRecipient(tx: Tx, claims: Claims): Promise<Recipient | null> {
  const [customer] = await tx
    .select({
      name: customers.name,
      settings: customers.settings,
      key: customers.manychatApiKeyEncrypted,
      webhookUrl: customers.webhookUrl,
    })
    .from(customers)
    .where(eq(customers.id, claims.customer_id));
  if (!customer) return null;
  return {
    claims,
    company: customer.name,
    settings: readSettings(customer.settings),
    apiKey: customer.key ? decryptSecret(customer.key) : null,
    webhookUrl: customer.webhookUrl,
  };
}

async function loadContext(job: JobRow): Promise<Context | null> {
  const claims = tenant(job.customerId as string);
  const subscriberId = String(job.payload.subscriber_id);
  const messageId = String(job.payload.message_id);
  return withTenant(claims, async (tx) => {
    // Messages a stored reply already answers are another job's (it will send that reply).
    const replying = new Set(
      (
        await tx.select({ reply: replySends.reply }).from(replySends).where(eq(replySends.subscriberId, subscriberId))
      ).flatMap((r) => (r.reply as unknown as StoredReply).message_ids),
    );
    const pending = (
      await tx
        .select({ id: messages.id, content: messages.content, createdAt: messages.createdAt })
        .from(messages)
        .where(
          and(
            eq(messages.subscriberId, subscriberId),
            eq(messages.direction, "inbound"),
            eq(messages.status, "pending"),
            eq(messages.channel, "whatsapp"),
          ),
        )
        .orderBy(asc(messages.createdAt), asc(messages.id))
    ).filter((m) => !replying.has(m.id));
    const newest = pending[pending.length - 1];
    // Answered already, or a newer message's job will answer them all.
    if (!newest || newest.id !== messageId) return null;
    const recipient = await loadRecipient(tx, claims);
    if (!recipient) return null;
    const firstPending = pending[0] as { createdAt: string };
    const memoryTurns = recipient.settings.memory_turns;
    const earlier = memoryTurns
      ? await tx
          .select({ direction: messages.direction, content: messages.content })
          .from(messages)
          .where(
            and(
              eq(messages.subscriberId, subscriberId),
              lt(messages.createdAt, firstPending.createdAt),
              inArray(messages.status, ["answered", "unanswered", "sent"]),
            ),
          )
          .orderBy(desc(messages.createdAt))
          .limit(memoryTurns * 2)
      : [];
    return { ...recipient, pending, history: earlier.reverse() };
  });
}

export const answerMessageJob: JobHandler = {
  async run(job, ctx) {
    const claims = tenant(job.customerId as string);
    const subscriberId = String(job.payload.subscriber_id);
    // An earlier attempt committed a reply and did not record its outcome (it crashed, lost
    // its lease, or ManyChat failed): those same texts go out again, nothing is regenerated.
    const stored = await storedReply(claims, job.id);
    if (stored) {
      const recipient = await withTenant(claims, (tx) => loadRecipient(tx, claims));
      if (!recipient) return;
      log.warn(
        { job_id: job.id, attempt: job.attempts, kind: stored.kind },
        "sending a stored reply again: its earlier send was not confirmed (the customer may get it twice)",
      );
      await sendReply(recipient, job.id, subscriberId, stored, { alreadyStored: true, signal: ctx.signal });
      return;
    }
    const context = await loadContext(job);
    if (!context) return;
    const ids = context.pending.map((m) => m.id);
    const question = context.pending.map((m) => m.content).join("\n");
    const startedAt = Date.now();
    // One request of the plan, claimed before any work; a retry of this job finds it claimed.
    const claim = await withTenant(context.claims, (tx) => claimRequest(tx, ids, "whatsapp"));
    if (claim.decision === "limited") {
      // The plan's requests are used up and it has no overage: the limit text instead of an answer.
      const reply: StoredReply = { kind: "limit", parts: [context.settings.limit_text], message_ids: ids, question };
      await sendReply(context, job.id, subscriberId, reply, { signal: ctx.signal });
      return;
    }
    const answer = await answerQuestion({
      claims: context.claims,
      company: context.company,
      language: context.settings.language,
      refusalText: context.settings.refusal_text,
      question,
      history: context.history,
      signal: ctx.signal,
    });
    const parts = formatAnswer(
      answer.answer,
      answer.sources.map((s) => ({ filename: s.filename, page: s.page })),
    );
    await sendReply(
      context,
      job.id,
      subscriberId,
      {
        kind: "answer",
        parts,
        message_ids: ids,
        question,
        answered: answer.answered,
        mode: answer.mode,
        sources: answer.sources,
        tokens: answer.usage,
        started_at: startedAt,
      },
      { signal: ctx.signal },
    );
  },

  async onFinalFailure(job, error) {
    const claims = tenant(job.customerId as string);
    const subscriberId = String(job.payload.subscriber_id);
    const stored = await storedReply(claims, job.id).catch(() => null);
    if (stored) {
      // The reply exists but every attempt to send it failed. It is recorded failed, and no
      // fallback text follows: one of those attempts may have reached the customer.
      const recipient = await withTenant(claims, (tx) => loadRecipient(tx, claims));
      if (!recipient) return;
      await record(
        recipient,
        job.id,
        subscriberId,
        stored,
        { status: "failed", error: `Could not send the reply: ${error}`.slice(0, 1000) },
        true,
      ).catch((err) => {
        if (!(err instanceof ReplyAlreadyRecorded)) throw err;
      });
      return;
    }
    const context = await loadContext(job).catch(() => null);
    if (!context) return;
    // Runs once (the job has failed for good): a crash here can lose this text, never repeat it.
    const fallback = context.settings.fallback_text;
    const delivery = await deliver(context.apiKey, subscriberId, [fallback], flowOf(context.settings)).catch(
      (e: Error) => ({
        status: "failed" as const,
        error: e.message,
      }),
    );
    await withTenant(context.claims, async (tx) => {
      const ids = context.pending.map((m) => m.id);
      await tx
        .update(messages)
        .set({ status: "failed", error: `Could not answer: ${error}`.slice(0, 1000) })
        .where(inArray(messages.id, ids));
      // No answer reached the customer: the request is not counted.
      await releaseRequest(tx, ids);
      const [reply] = await tx
        .insert(messages)
        .values({
          customerId: context.claims.customer_id,
          subscriberId,
          direction: "outbound",
          content: fallback,
          status: delivery.status === "failed" ? "failed" : "sent",
          replyTo: ids[ids.length - 1] ?? null,
          error: delivery.status === "failed" ? delivery.error : "Fallback text sent after the answer failed.",
        })
        .returning({ id: messages.id });
      await enqueueWebhookEvent(tx, context.claims.customer_id, context.webhookUrl, "message.failed", {
        subscriber_id: subscriberId,
        message_ids: ids,
        question: context.pending.map((m) => m.content).join("\n"),
        error: `Could not answer: ${error}`.slice(0, 1000),
        reply: { message_id: reply?.id ?? null, content: fallback, delivery: delivery.status },
      });
    });
  },
};

/**
 * Sends a reply and records its outcome. When an HTTP request to ManyChat will be made,
 * the reply is committed first and the send and its record happen inside one of the
 * tenant's send slots (./reply-sends.ts), so a crash can repeat only a send in flight.
 */
async function sendReply(
  recipient: Recipient,
  jobId: string,
  subscriberId: string,
  reply: StoredReply,
  opts: { alreadyStored?: boolean; signal?: AbortSignal },
) {
  const flow = flowOf(recipient.settings);
  try {
    if (isSimulatorSubscriber(subscriberId) || !recipient.apiKey) {
      // No request leaves the process: nothing can reach the customer twice.
      const delivery = await deliver(recipient.apiKey, subscriberId, reply.parts, flow, opts.signal);
      await record(recipient, jobId, subscriberId, reply, delivery, opts.alreadyStored === true);
      return;
    }
    if (!opts.alreadyStored) await storeReply(recipient.claims, jobId, subscriberId, reply);
    await withSendSlot(recipient.claims.customer_id, opts.signal, async () => {
      // While this run waited, another run of the job (after an expired lease) may have sent it.
      if (!(await storedReply(recipient.claims, jobId))) return;
      const delivery = await deliver(recipient.apiKey, subscriberId, reply.parts, flow, opts.signal);
      await recordPersistently(recipient, jobId, subscriberId, reply, delivery, true);
    });
  } catch (err) {
    if (!(err instanceof ReplyAlreadyRecorded)) throw err;
    log.warn({ job_id: jobId }, "a reply was recorded by two runs of one job (its lease expired while it ran)");
  }
}

/** "simulated": the dashboard's simulator, shown there and never sent (lib/manychat/simulator.ts). */
type Delivery = { status: "sent" } | { status: "simulated" } | { status: "failed"; error: string };

const flowOf = (settings: Recipient["settings"]) =>
  settings.fallback_flow_ns
    ? { flowNs: settings.fallback_flow_ns, fieldName: settings.fallback_field_name }
    : undefined;

async function deliver(
  apiKey: string | null,
  subscriberId: string,
  parts: string[],
  flow?: { flowNs: string; fieldName: string },
  signal?: AbortSignal,
): Promise<Delivery> {
  if (isSimulatorSubscriber(subscriberId)) return { status: "simulated" };
  if (!apiKey) return { status: "failed", error: "ManyChat is not connected: add your ManyChat API key in Settings." };
  try {
    await sendWhatsAppMessages(apiKey, subscriberId, parts, { flow, signal });
    return { status: "sent" };
  } catch (err) {
    // The job lost its lease: the worker that owns it now sends the stored reply.
    if (err instanceof ManychatError && err.reason === "aborted") throw err;
    if (err instanceof ManychatError && !err.retryable) {
      // Permanent (e.g. 3011, outside the 24-hour window): recorded, not retried.
      return { status: "failed", error: err.message };
    }
    throw err instanceof ManychatError ? new RetryLaterError(`ManyChat: ${err.message}`, 5000) : (err as Error);
  }
}

/**
 * After a send, the record is what stops the reply from going out again: a failing
 * write is retried a few times before the job gives up (and its retry sends again).
 */
async function recordPersistently(...args: Parameters<typeof record>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await record(...args);
    } catch (err) {
      if (attempt >= 3 || err instanceof ReplyAlreadyRecorded) throw err;
      log.warn({ err, attempt }, "recording a sent reply failed, retrying");
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** Records the outcome and forgets the stored reply (`stored`: committed before the send), in one transaction. */
async function record(
  recipient: Recipient,
  jobId: string,
  subscriberId: string,
  reply: StoredReply,
  delivery: Delivery,
  stored: boolean,
) {
  const ids = reply.message_ids;
  const failed = delivery.status === "failed";
  const error = delivery.status === "failed" ? delivery.error : null;
  const delivered = reply.parts.join("\n\n");
  const latencyMs = reply.started_at === undefined ? null : Date.now() - reply.started_at;
  const limit = reply.kind === "limit";
  const outcome = failed ? "failed" : reply.answered ? "answered" : "unanswered";
  await withTenant(recipient.claims, async (tx) => {
    // First: its row lock makes a concurrent record of the same reply wait, then find it gone.
    await forgetReply(tx, jobId, { stored });
    await tx
      .update(messages)
      .set(
        limit
          ? // Stored and shown in the dashboard, never dropped; nothing is counted.
            { status: "limited", error: error ?? "The plan's monthly requests are used up." }
          : { status: outcome, error },
      )
      .where(inArray(messages.id, ids));
    // The answer did not reach the customer: its request is given back (not counted, not billed).
    if (failed && !limit) await releaseRequest(tx, ids);
    const [row] = await tx
      .insert(messages)
      .values({
        customerId: recipient.claims.customer_id,
        subscriberId,
        direction: "outbound",
        content: delivered,
        // A simulated reply counts as sent: it reached its only reader, the simulator.
        status: failed ? "failed" : "sent",
        replyTo: ids[ids.length - 1] ?? null,
        ...(limit ? {} : { sources: reply.sources ?? [], tokens: reply.tokens ?? null, latencyMs }),
        error,
      })
      .returning({ id: messages.id });
    const base = { subscriber_id: subscriberId, message_ids: ids, question: reply.question };
    if (limit) {
      await enqueueWebhookEvent(tx, recipient.claims.customer_id, recipient.webhookUrl, "message.limited", {
        ...base,
        reply: { message_id: row?.id ?? null, content: delivered, delivery: delivery.status },
      });
      return;
    }
    await enqueueWebhookEvent(tx, recipient.claims.customer_id, recipient.webhookUrl, `message.${outcome}`, {
      ...base,
      answered: reply.answered ?? false,
      mode: reply.mode,
      reply: {
        message_id: row?.id ?? null,
        content: delivered,
        delivery: delivery.status,
        sources: (reply.sources ?? []).map((src) => ({
          document_id: src.document_id,
          filename: src.filename,
          page: src.page,
        })),
        latency_ms: latencyMs,
      },
      ...(error !== null ? { error } : {}),
    });
  });
  if (limit) {
    log.info({ subscriber_messages: ids.length, delivery: delivery.status }, "message over the plan limit");
    return;
  }
  log.info(
    {
      subscriber_messages: ids.length,
      answered: reply.answered,
      mode: reply.mode,
      delivery: delivery.status,
      ms: latencyMs,
    },
    "message answered",
  );
}
