import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { decodeCursor, page, pageQuerySchema } from "@/lib/http/pagination";

/** GET /conversations: `query` searches message text, customer name, phone (any spacing) and subscriber id. */
export const conversationsQuerySchema = pageQuerySchema.extend({
  query: z.string().trim().max(200, "is longer than 200 characters").optional(),
});

export type Channel = "whatsapp" | "api" | "playground";
export type MessageStatus = "pending" | "answered" | "unanswered" | "failed" | "sent" | "limited";

export interface ConversationSummary {
  subscriber_id: string;
  name: string | null;
  phone: string | null;
  /** Channel of the latest message (a subscriber id normally belongs to one channel). */
  channel: Channel;
  message_count: number;
  last_message: {
    id: string;
    direction: "inbound" | "outbound";
    preview: string;
    status: MessageStatus;
    created_at: string;
  };
  /** Status of the customer's latest message: did it get an answer? Null if they never wrote. */
  last_inbound_status: MessageStatus | null;
  /** With a search: the newest message whose text matched, cut around the match (null if only name/phone matched). */
  match: string | null;
}

export interface ConversationSource {
  document_id: string;
  filename: string;
  page: number;
  chunk_id: string;
  score: number;
  excerpt: string;
}

export interface ConversationMessage {
  id: string;
  direction: "inbound" | "outbound";
  content: string;
  status: MessageStatus;
  channel: Channel;
  sources: ConversationSource[];
  latency_ms: number | null;
  error: string | null;
  reply_to: string | null;
  created_at: string;
}

export interface Conversation {
  subscriber_id: string;
  name: string | null;
  phone: string | null;
  channel: Channel;
  message_count: number;
  /** Oldest first; at most MAX_THREAD_MESSAGES (the newest ones). */
  messages: ConversationMessage[];
  /** True when older messages exist than the ones returned. */
  truncated: boolean;
}

export const MAX_THREAD_MESSAGES = 500;
const PREVIEW_CHARS = 160;

/** `%text%` for ILIKE, with the user's own `%`, `_` and `\` taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Digits of a query that looks like a phone number ("+39 333 12-34"), else null. */
function phoneDigits(text: string): string | null {
  if (!/^[+\d\s().-]+$/.test(text)) return null;
  const digits = text.replace(/\D/g, "");
  return digits.length >= 3 ? digits : null;
}

const iso = (v: string | Date) => new Date(v).toISOString();

/** One line of text around the first occurrence of `needle` (case-insensitive). */
/** Whitespace collapsed, cut to PREVIEW_CHARS. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1).trimEnd()}…`;
}

export function excerptAround(text: string, needle: string, width = PREVIEW_CHARS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const at = flat.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return `${flat.slice(0, width - 1)}…`;
  const start = Math.max(0, Math.min(at - Math.floor((width - needle.length) / 2), flat.length - width));
  const end = Math.min(flat.length, start + width);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end).trim()}${end < flat.length ? "…" : ""}`;
}

interface SummaryRow {
  subscriber_id: string;
  name: string | null;
  phone: string | null;
  message_count: number | string;
  last_inbound_status: MessageStatus | null;
  last_id: string;
  last_at: string | Date;
  /** last_at with microseconds, for the cursor (a JS Date would round to milliseconds). */
  cursor_at: string;
  direction: "inbound" | "outbound";
  channel: Channel;
  status: MessageStatus;
  preview: string;
  matched: string | null;
}

/**
 * The tenant's conversations, one per subscriber, the most recently active first.
 * Keyset pagination over (time of the latest message, its id). Row-level security
 * confines every statement to the caller's tenant.
 */
export function listConversations(identity: Identity, input: { query?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(input.cursor);
  if (after && !z.uuid().safeParse(after.id).success) {
    throw new AppError("validation_failed", "Query string is not valid.", [
      { path: "cursor", message: "is not a cursor returned by this list" },
    ]);
  }
  const query = input.query?.trim() || null;
  const pattern = query ? likePattern(query) : null;
  const digits = query ? phoneDigits(query) : null;

  const matches = (alias: string) => {
    const col = (c: string) => sql.raw(`${alias}.${c}`);
    return sql`(${col("content")} ilike ${pattern} escape '\\'
      or ${col("subscriber_name")} ilike ${pattern} escape '\\'
      or ${col("user_phone")} ilike ${pattern} escape '\\'
      or ${col("subscriber_id")} ilike ${pattern} escape '\\'
      ${digits ? sql`or regexp_replace(coalesce(${col("user_phone")}, ''), '\\D', '', 'g') like ${`%${digits}%`}` : sql``})`;
  };

  return withTenant(tenantClaims(identity), async (tx) => {
    const found = await rows<SummaryRow>(
      tx,
      // "Latest" breaks ties of created_at with the reply first: /query stores a question and
      // its answer in one transaction, so both carry the same now().
      sql`
        with conv as (
          select
            subscriber_id,
            count(*) as message_count,
            (array_agg(subscriber_name order by created_at desc, direction = 'outbound' desc, id desc)
              filter (where subscriber_name is not null and subscriber_name <> ''))[1] as name,
            (array_agg(user_phone order by created_at desc, direction = 'outbound' desc, id desc)
              filter (where user_phone is not null and user_phone <> ''))[1] as phone,
            (array_agg(status order by created_at desc, direction = 'outbound' desc, id desc) filter (where direction = 'inbound'))[1]
              as last_inbound_status,
            (array_agg(id order by created_at desc, direction = 'outbound' desc, id desc))[1] as last_id,
            max(created_at) as last_at
          from messages
          ${
            pattern ? sql`where subscriber_id in (select s.subscriber_id from messages s where ${matches("s")})` : sql``
          }
          group by subscriber_id
        )
        select
          c.subscriber_id, c.name, c.phone, c.message_count, c.last_inbound_status, c.last_id, c.last_at,
          to_char(c.last_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
          m.direction, m.channel, m.status, left(m.content, ${PREVIEW_CHARS * 2}) as preview,
          ${
            pattern
              ? sql`(select h.content from messages h
                      where h.subscriber_id = c.subscriber_id and h.content ilike ${pattern} escape '\\'
                      order by h.created_at desc, h.id desc limit 1)`
              : sql`null::text`
          } as matched
        from conv c
        join messages m on m.id = c.last_id
        ${after ? sql`where (c.last_at, c.last_id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
        order by c.last_at desc, c.last_id desc
        limit ${input.limit + 1}
      `,
    );
    const result = page(found, input.limit, (r) => [r.cursor_at, r.last_id]);
    return {
      items: result.items.map(
        (r): ConversationSummary => ({
          subscriber_id: r.subscriber_id,
          name: r.name,
          phone: r.phone,
          channel: r.channel,
          message_count: Number(r.message_count),
          last_message: {
            id: r.last_id,
            direction: r.direction,
            preview: oneLine(r.preview),
            status: r.status,
            created_at: iso(r.last_at),
          },
          last_inbound_status: r.last_inbound_status,
          match: r.matched && query ? excerptAround(r.matched, query) : null,
        }),
      ),
      next_cursor: result.next_cursor,
    };
  });
}

/**
 * One subscriber's messages, oldest first (the newest MAX_THREAD_MESSAGES of them).
 * A subscriber the tenant never talked to, or another tenant's, is not found.
 */
export function getConversation(identity: Identity, subscriberId: string): Promise<Conversation> {
  if (!subscriberId || subscriberId.length > 100) return Promise.reject(notFound("Conversation"));
  return withTenant(tenantClaims(identity), async (tx) => {
    // Same tie-break as the list: a question and its answer stored together share a time.
    const found = await tx
      .select()
      .from(messages)
      .where(eq(messages.subscriberId, subscriberId))
      .orderBy(desc(messages.createdAt), sql`${messages.direction} = 'outbound' desc`, desc(messages.id))
      .limit(MAX_THREAD_MESSAGES + 1);
    if (found.length === 0) throw notFound("Conversation");
    const [counted] = await rows<{ n: number | string }>(
      tx,
      sql`select count(*) as n from messages where subscriber_id = ${subscriberId}`,
    );
    const shown = found.slice(0, MAX_THREAD_MESSAGES);
    const newest = shown[0] as (typeof shown)[number];
    return {
      subscriber_id: subscriberId,
      name: shown.find((m) => m.subscriberName)?.subscriberName ?? null,
      phone: shown.find((m) => m.userPhone)?.userPhone ?? null,
      channel: newest.channel,
      message_count: Number(counted?.n ?? shown.length),
      truncated: found.length > MAX_THREAD_MESSAGES,
      messages: shown.reverse().map(
        (m): ConversationMessage => ({
          id: m.id,
          direction: m.direction,
          content: m.content,
          status: m.status,
          channel: m.channel,
          sources: readSources(m.sources),
          latency_ms: m.latencyMs,
          error: m.error,
          reply_to: m.replyTo,
          created_at: iso(m.createdAt),
        }),
      ),
    };
  });
}

/** Sources as stored (jsonb): keep the well-formed ones only. */
function readSources(value: unknown): ConversationSource[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (s): s is ConversationSource =>
      typeof s === "object" &&
      s !== null &&
      typeof (s as ConversationSource).filename === "string" &&
      typeof (s as ConversationSource).page === "number",
  );
}
