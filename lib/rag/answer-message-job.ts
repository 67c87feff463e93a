import "server-only";
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { claimRequest, releaseRequest } from "@/lib/billing/metering";
import { decryptSecret } from "@/lib/crypto/secret-box";
import { type Claims, withTenant } from "@/lib/db/client";
import { customers, messages } from "@/lib/db/schema";
import { RetryLaterError } from "@/lib/jobs/job-errors";
import type { JobRow } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";
import { log } from "@/lib/log";
import { ManychatError, sendWhatsAppMessages } from "@/lib/manychat/manychat-client";
import { isSimulatorSubscriber } from "@/lib/manychat/simulator";
import { formatAnswer } from "@/lib/manychat/whatsapp-format";
import { enqueueWebhookEvent } from "@/lib/outbound-webhooks/webhook-events";
import { readSettings } from "@/lib/tenants/settings";
import { type Answer, answerQuestion, type Turn } from "./answer-question";

/**
 * Answers a subscriber's pending WhatsApp messages. Messages that arrive within the
 * tenant's burst window are answered together, once: each message's job waits the
 * window, and only the job of the newest pending message answers (all of them).
 */
export const ANSWER_MESSAGE = "answer_message";

const tenant = (customerId: string): Claims => ({ role: "authenticated", customer_id: customerId });

interface Context {
  claims: Claims;
  company: string;
  settings: ReturnType<typeof readSettings>;
  apiKey: string | null;
  /** The tenant's own endpoint for outbound events (lib/outbound-webhooks), if any. */
  webhookUrl: string | null;
  pending: { id: string; content: string; createdAt: string }[];
  history: Turn[];
}

async function loadContext(job: JobRow): Promise<Context | null> {
  const claims = tenant(job.customerId as string);
  const subscriberId = String(job.payload.subscriber_id);
  const messageId = String(job.payload.message_id);
  return withTenant(claims, async (tx) => {
    const pending = await tx
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
      .orderBy(asc(messages.createdAt), asc(messages.id));
    const newest = pending[pending.length - 1];
    // Answered already, or a newer message's job will answer them all.
    if (!newest || newest.id !== messageId) return null;
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
    const settings = readSettings(customer.settings);
    const firstPending = pending[0] as { createdAt: string };
    const earlier = settings.memory_turns
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
          .limit(settings.memory_turns * 2)
      : [];
    return {
      claims,
      company: customer.name,
      settings,
      apiKey: customer.key ? decryptSecret(customer.key) : null,
      webhookUrl: customer.webhookUrl,
      pending,
      history: earlier.reverse(),
    };
  });
}

export const answerMessageJob: JobHandler = {
  async run(job, ctx) {
    const context = await loadContext(job);
    if (!context) return;
    const subscriberId = String(job.payload.subscriber_id);
    const ids = context.pending.map((m) => m.id);
    // One request of the plan, claimed before any work; a retry of this job finds it claimed.
    const claim = await withTenant(context.claims, (tx) => claimRequest(tx, ids, "whatsapp"));
    if (claim.decision === "limited") {
      await answerOverLimit(context, subscriberId);
      return;
    }
    const question = context.pending.map((m) => m.content).join("\n");
    const started = Date.now();
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
    const delivery = await deliver(context.apiKey, subscriberId, parts, flowOf(context.settings));
    await record(context, subscriberId, answer, parts.join("\n\n"), delivery, Date.now() - started);
  },

  async onFinalFailure(job, error) {
    const context = await loadContext(job).catch(() => null);
    if (!context) return;
    const subscriberId = String(job.payload.subscriber_id);
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
 * The plan's requests are used up and it has no overage: the customer gets the tenant's
 * limit text instead of an answer, and the messages end "limited" (stored and shown in
 * the dashboard, never dropped). Nothing is counted.
 */
async function answerOverLimit(context: Context, subscriberId: string) {
  const text = context.settings.limit_text;
  const delivery = await deliver(context.apiKey, subscriberId, [text], flowOf(context.settings));
  const ids = context.pending.map((m) => m.id);
  await withTenant(context.claims, async (tx) => {
    await tx
      .update(messages)
      .set({
        status: "limited",
        error: delivery.status === "failed" ? delivery.error : "The plan's monthly requests are used up.",
      })
      .where(inArray(messages.id, ids));
    const [reply] = await tx
      .insert(messages)
      .values({
        customerId: context.claims.customer_id,
        subscriberId,
        direction: "outbound",
        content: text,
        status: delivery.status === "failed" ? "failed" : "sent",
        replyTo: ids[ids.length - 1] ?? null,
        error: delivery.status === "failed" ? delivery.error : null,
      })
      .returning({ id: messages.id });
    await enqueueWebhookEvent(tx, context.claims.customer_id, context.webhookUrl, "message.limited", {
      subscriber_id: subscriberId,
      message_ids: ids,
      question: context.pending.map((m) => m.content).join("\n"),
      reply: { message_id: reply?.id ?? null, content: text, delivery: delivery.status },
    });
  });
  log.info({ subscriber_messages: ids.length, delivery: delivery.status }, "message over the plan limit");
}

/** "simulated": the dashboard's simulator, shown there and never sent (lib/manychat/simulator.ts). */
type Delivery = { status: "sent" } | { status: "simulated" } | { status: "failed"; error: string };

const flowOf = (settings: Context["settings"]) =>
  settings.fallback_flow_ns
    ? { flowNs: settings.fallback_flow_ns, fieldName: settings.fallback_field_name }
    : undefined;

async function deliver(
  apiKey: string | null,
  subscriberId: string,
  parts: string[],
  flow?: { flowNs: string; fieldName: string },
): Promise<Delivery> {
  if (isSimulatorSubscriber(subscriberId)) return { status: "simulated" };
  if (!apiKey) return { status: "failed", error: "ManyChat is not connected: add your ManyChat API key in Settings." };
  try {
    await sendWhatsAppMessages(apiKey, subscriberId, parts, { flow });
    return { status: "sent" };
  } catch (err) {
    if (err instanceof ManychatError && !err.retryable) {
      // Permanent (e.g. 3011, outside the 24-hour window): recorded, not retried.
      return { status: "failed", error: err.message };
    }
    throw err instanceof ManychatError ? new RetryLaterError(`ManyChat: ${err.message}`, 5000) : (err as Error);
  }
}

async function record(
  context: Context,
  subscriberId: string,
  answer: Answer,
  delivered: string,
  delivery: Delivery,
  latencyMs: number,
) {
  const ids = context.pending.map((m) => m.id);
  await withTenant(context.claims, async (tx) => {
    await tx
      .update(messages)
      .set({
        status: delivery.status === "failed" ? "failed" : answer.answered ? "answered" : "unanswered",
        error: delivery.status === "failed" ? delivery.error : null,
      })
      .where(inArray(messages.id, ids));
    // The answer did not reach the customer: its request is given back (not counted, not billed).
    if (delivery.status === "failed") await releaseRequest(tx, ids);
    const [reply] = await tx
      .insert(messages)
      .values({
        customerId: context.claims.customer_id,
        subscriberId,
        direction: "outbound",
        content: delivered,
        // A simulated reply counts as sent: it reached its only reader, the simulator.
        status: delivery.status === "failed" ? "failed" : "sent",
        replyTo: ids[ids.length - 1] ?? null,
        sources: answer.sources,
        tokens: answer.usage,
        latencyMs,
        error: delivery.status === "failed" ? delivery.error : null,
      })
      .returning({ id: messages.id });
    const outcome = delivery.status === "failed" ? "failed" : answer.answered ? "answered" : "unanswered";
    await enqueueWebhookEvent(tx, context.claims.customer_id, context.webhookUrl, `message.${outcome}`, {
      subscriber_id: subscriberId,
      message_ids: ids,
      question: context.pending.map((m) => m.content).join("\n"),
      answered: answer.answered,
      mode: answer.mode,
      reply: {
        message_id: reply?.id ?? null,
        content: delivered,
        delivery: delivery.status,
        sources: answer.sources.map((src) => ({
          document_id: src.document_id,
          filename: src.filename,
          page: src.page,
        })),
        latency_ms: latencyMs,
      },
      ...(delivery.status === "failed" ? { error: delivery.error } : {}),
    });
  });
  log.info(
    {
      subscriber_messages: ids.length,
      answered: answer.answered,
      mode: answer.mode,
      delivery: delivery.status,
      ms: latencyMs,
    },
    "message answered",
  );
}
