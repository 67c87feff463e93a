import "server-only";
import { and, desc, eq, lt, or } from "drizzle-orm";
import { z } from "zod";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { withTenant } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import { decodeCursor, page, pageQuerySchema } from "@/lib/http/pagination";

export const messagesQuerySchema = pageQuerySchema.extend({
  subscriber_id: z.string().trim().min(1).max(100).optional(),
});

/** GET /messages: the conversation log, newest first. */
export function listMessages(identity: Identity, input: z.output<typeof messagesQuerySchema>) {
  const after = decodeCursor(input.cursor);
  return withTenant(tenantClaims(identity), async (tx) => {
    const found = await tx
      .select()
      .from(messages)
      .where(
        and(
          input.subscriber_id ? eq(messages.subscriberId, input.subscriber_id) : undefined,
          after
            ? or(lt(messages.createdAt, after.at), and(eq(messages.createdAt, after.at), lt(messages.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(input.limit + 1);
    const paged = page(found, input.limit, (m) => [m.createdAt, m.id]);
    const items = paged.items.map((m) => ({
      id: m.id,
      subscriber_id: m.subscriberId,
      user_phone: m.userPhone,
      subscriber_name: m.subscriberName,
      direction: m.direction,
      content: m.content,
      status: m.status,
      channel: m.channel,
      sources: m.sources,
      latency_ms: m.latencyMs,
      error: m.error,
      reply_to: m.replyTo,
      created_at: new Date(m.createdAt).toISOString(),
    }));
    return { items, next_cursor: paged.next_cursor };
  });
}
