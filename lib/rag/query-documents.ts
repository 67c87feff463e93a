import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { withTenant } from "@/lib/db/client";
import { customers, messages } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { readSettings } from "@/lib/tenants/settings";
import { type Answer, answerQuestion } from "./answer-question";

export const querySchema = z.object({
  question: z.string().trim().min(1, "is empty").max(4000, "is longer than 4,000 characters"),
  subscriber_id: z.string().trim().min(1).max(100).optional(),
});

/**
 * POST /query and the playground: the same pipeline as WhatsApp, answered in the
 * response. Both the question and the answer are recorded (unanswered questions show
 * up in the dashboard like WhatsApp ones).
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
    return { company: customer.name, settings, history: history.reverse() };
  });
  const answer = await answerQuestion({
    claims,
    company: context.company,
    language: context.settings.language,
    refusalText: context.settings.refusal_text,
    question: input.question,
    history: context.history,
  });
  await withTenant(claims, async (tx) => {
    const [inbound] = await tx
      .insert(messages)
      .values({
        customerId: claims.customer_id,
        subscriberId,
        direction: "inbound",
        content: input.question,
        status: answer.answered ? "answered" : "unanswered",
        channel,
      })
      .returning({ id: messages.id });
    await tx.insert(messages).values({
      customerId: claims.customer_id,
      subscriberId,
      direction: "outbound",
      content: answer.answer,
      status: "sent",
      channel,
      replyTo: inbound?.id ?? null,
      // After the question even inside one transaction (now() would tie them).
      createdAt: sql`clock_timestamp()`,
      sources: answer.sources,
      tokens: answer.usage,
      latencyMs: answer.latency_ms,
    });
  });
  return answer;
}
