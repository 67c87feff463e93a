import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { claimRequest, releaseRequest } from "@/lib/billing/metering";
import { withTenant } from "@/lib/db/client";
import { customers, messages } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { readSettings } from "@/lib/tenants/settings";
import { type Answer, answerQuestion } from "./answer-question";

export const querySchema = z.object({
  question: z.string().trim().min(1, "is empty").max(4000, "is longer than 4,000 characters"),
  subscriber_id: z.string().trim().min(1).max(100).optional(),
});

/**
 * POST /query and the playground: the same pipeline as WhatsApp, answered in the
 * response. Both the question and the answer are recorded (unanswered questions show
 * up in the dashboard like WhatsApp ones). Each answer is one request of the plan; at the
 * limit of a plan without overage the question is stored "limited" and the call fails
 * with 402 limit_exceeded.
 */
export async function queryDocuments(
  identity: Identity,
  input: z.output<typeof querySchema>,
  channel: "api" | "playground" = "api",
): Promise<Answer> {
  const claims = tenantClaims(identity);
  const subscriberId = input.subscriber_id ?? `${channel}:${identity.userId}`;
  const context = await withTenant(claims, async (tx) => {
    const [customer] = await tx
      .select({ name: customers.name, settings: customers.settings })
      .from(customers)
      .where(eq(customers.id, claims.customer_id));
    if (!customer) throw notFound("Customer");
    const settings = readSettings(customer.settings);
    const history = input.subscriber_id
      ? await tx
          .select({ direction: messages.direction, content: messages.content })
          .from(messages)
          .where(
            and(eq(messages.subscriberId, subscriberId), inArray(messages.status, ["answered", "unanswered", "sent"])),
          )
          .orderBy(desc(messages.createdAt))
          .limit(settings.memory_turns * 2)
      : [];
    // The question is stored before any work, and one request of the plan claimed for it.
    const [inbound] = await tx
      .insert(messages)
      .values({
        customerId: claims.customer_id,
        subscriberId,
        direction: "inbound",
        content: input.question,
        status: "pending",
        channel,
      })
      .returning({ id: messages.id });
    const inboundId = (inbound as { id: string }).id;
    const claim = await claimRequest(tx, [inboundId], channel);
    if (claim.decision === "limited") {
      await tx
        .update(messages)
        .set({ status: "limited", error: "The plan's monthly requests are used up." })
        .where(eq(messages.id, inboundId));
    }
    return { company: customer.name, settings, history: history.reverse(), inboundId, claim };
  });
  if (context.claim.decision === "limited") {
    const { requestsUsed, requestLimit } = context.claim;
    throw new AppError(
      "limit_exceeded",
      `This workspace has used the ${requestLimit} requests its plan includes this month, and the plan has no overage. Choose a larger plan in Usage and billing, or wait for the next billing period.`,
      { requests_used: requestsUsed, request_limit: requestLimit },
    );
  }
  let answer: Answer;
  try {
    answer = await answerQuestion({
      claims,
      company: context.company,
      language: context.settings.language,
      refusalText: context.settings.refusal_text,
      question: input.question,
      history: context.history,
    });
  } catch (err) {
    // The question ends visibly failed, and its request is given back.
    await withTenant(claims, async (tx) => {
      await tx
        .update(messages)
        .set({ status: "failed", error: `Could not answer: ${(err as Error).message}`.slice(0, 1000) })
        .where(eq(messages.id, context.inboundId));
      await releaseRequest(tx, [context.inboundId]);
    }).catch(() => undefined);
    throw err;
  }
  await withTenant(claims, async (tx) => {
    await tx
      .update(messages)
      .set({ status: answer.answered ? "answered" : "unanswered" })
      .where(eq(messages.id, context.inboundId));
    await tx.insert(messages).values({
      customerId: claims.customer_id,
      subscriberId,
      direction: "outbound",
      content: answer.answer,
      status: "sent",
      channel,
      replyTo: context.inboundId,
      // After the question even inside one transaction (now() would tie them).
      createdAt: sql`clock_timestamp()`,
      sources: answer.sources,
      tokens: answer.usage,
      latencyMs: answer.latency_ms,
    });
  });
  return answer;
}
