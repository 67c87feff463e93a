import type { Metadata } from "next";
import Link from "next/link";
import { requireIdentity } from "@/lib/auth/current-identity";
import { AppError } from "@/lib/http/errors";
import {
  CHANNEL_LABEL,
  type ConversationSummary,
  displayName,
  formatTime,
  listConversations,
  type MessageStatus,
} from "@/lib/rag/list-conversations";

export const metadata: Metadata = { title: "Conversations" };

const PAGE_SIZE = 30;

/** The status of a customer's latest message, in words. */
const INBOUND_STATUS: Partial<Record<MessageStatus, { label: string; className: string }>> = {
  answered: { label: "Answered", className: "bg-brand-50 text-brand-800 ring-brand-600/40" },
  unanswered: { label: "Unanswered", className: "bg-amber-50 text-amber-900 ring-amber-300" },
  failed: { label: "Failed", className: "bg-red-50 text-red-800 ring-red-300" },
  pending: { label: "Answering…", className: "bg-sky-50 text-sky-900 ring-sky-300" },
  limited: { label: "Over plan limit", className: "bg-red-50 text-red-800 ring-red-300" },
};

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function ConversationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const identity = await requireIdentity("/dashboard/conversations");
  if (!identity.customerId) return null;
  const params = await searchParams;
  const q = (one(params.q) ?? "").trim().slice(0, 200);
  const cursor = one(params.cursor) || undefined;

  let list: Awaited<ReturnType<typeof listConversations>>;
  let badCursor = false;
  try {
    list = await listConversations(identity, { query: q || undefined, limit: PAGE_SIZE, cursor });
  } catch (err) {
    // A mangled ?cursor= (an old bookmark): show the newest page instead of an error.
    if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
    badCursor = true;
    list = await listConversations(identity, { query: q || undefined, limit: PAGE_SIZE });
  }
  const paged = Boolean(cursor) && !badCursor;
  const qs = (extra: Record<string, string>) => {
    const search = new URLSearchParams({ ...(q ? { q } : {}), ...extra }).toString();
    return search ? `/dashboard/conversations?${search}` : "/dashboard/conversations";
  };

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Conversations</h1>
        <p className="mt-1 text-sm text-slate-700">
          Every customer who wrote to your assistant, the most recent first, with whether their latest question was
          answered. Open one to read the whole exchange and the pages each answer came from.
        </p>
      </div>

      <search>
        <form method="get" action="/dashboard/conversations" className="flex flex-wrap items-end gap-2">
          <div className="min-w-0 flex-1 basis-56">
            <label htmlFor="conversation-search" className="block text-sm font-medium text-slate-800">
              Search conversations
            </label>
            <input
              id="conversation-search"
              type="search"
              name="q"
              defaultValue={q}
              maxLength={200}
              aria-describedby="conversation-search-hint"
              className="mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900"
            />
            <p id="conversation-search-hint" className="mt-1 text-xs text-slate-600">
              Words from a message, a customer&apos;s name or phone number.
            </p>
          </div>
          <div className="flex gap-2 pb-5">
            <button
              type="submit"
              className="inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
            >
              Search
            </button>
            {q && (
              <Link
                href="/dashboard/conversations"
                className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                Clear search
              </Link>
            )}
          </div>
        </form>
      </search>

      {list.items.length === 0 ? (
        q ? (
          <NoMatch q={q} />
        ) : paged ? (
          <section aria-labelledby="conversations-heading" className="rounded-lg bg-white p-6 text-sm text-slate-700">
            <h2 id="conversations-heading" className="text-lg font-semibold text-slate-900">
              No older conversations
            </h2>
            <p className="mt-2">
              <Link href="/dashboard/conversations" className="font-medium text-brand-800 underline">
                Back to the newest conversations
              </Link>
            </p>
          </section>
        ) : (
          <EmptyState />
        )
      ) : (
        <section aria-labelledby="conversations-heading" className="space-y-3">
          <h2 id="conversations-heading" className="text-lg font-semibold">
            {q ? (
              <>
                Conversations matching “{q}”{" "}
                <span className="font-normal text-slate-600">
                  ({list.items.length}
                  {list.next_cursor ? "+" : ""})
                </span>
              </>
            ) : paged ? (
              "Older conversations"
            ) : (
              "Latest conversations"
            )}
          </h2>
          <ul className="space-y-3">
            {list.items.map((c) => (
              <ConversationCard key={c.subscriber_id} conversation={c} />
            ))}
          </ul>
          <nav aria-label="More conversations" className="flex flex-wrap gap-3 pt-1">
            {paged && (
              <Link
                href={qs({})}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                Back to the newest
              </Link>
            )}
            {list.next_cursor && (
              <Link
                href={qs({ cursor: list.next_cursor })}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                Show older conversations
              </Link>
            )}
          </nav>
        </section>
      )}
    </div>
  );
}

function ConversationCard({ conversation: c }: { conversation: ConversationSummary }) {
  const name = displayName(c);
  const status = c.last_inbound_status ? INBOUND_STATUS[c.last_inbound_status] : undefined;
  const nameId = `conversation-${encodeURIComponent(c.subscriber_id).replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const who = c.last_message.direction === "inbound" ? "Customer" : "Assistant";
  return (
    <li
      aria-labelledby={nameId}
      className="relative rounded-lg border border-slate-200 bg-white p-4 focus-within:ring-2 focus-within:ring-brand-600 hover:border-brand-600/60"
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 flex-1 basis-56">
          <h3 id={nameId} className="break-words font-medium text-slate-900">
            <Link
              href={`/dashboard/conversations/${encodeURIComponent(c.subscriber_id)}`}
              className="after:absolute after:inset-0 after:content-[''] hover:underline focus-visible:outline-none"
            >
              {name}
            </Link>
          </h3>
          <p className="mt-1 text-sm text-slate-600">
            {c.phone && c.phone !== name && (
              <span>
                {c.phone}
                <span aria-hidden="true"> · </span>
              </span>
            )}
            <span>{CHANNEL_LABEL[c.channel]}</span>
            <span aria-hidden="true"> · </span>
            <span>
              {c.message_count} {c.message_count === 1 ? "message" : "messages"}
            </span>
            <span aria-hidden="true"> · </span>
            <span>
              <span className="sr-only">Last message </span>
              <time dateTime={c.last_message.created_at}>{formatTime(c.last_message.created_at)}</time>
            </span>
          </p>
        </div>
        {status && (
          <span
            data-testid="conversation-status"
            className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${status.className}`}
          >
            <span className="sr-only">Latest question: </span>
            {status.label}
          </span>
        )}
      </div>
      <p className="mt-2 break-words text-sm text-slate-800">
        <span className="font-medium text-slate-600">{who}: </span>
        {c.last_message.preview}
      </p>
      {c.match && (
        <p className="mt-1 break-words text-sm text-slate-700">
          <span className="font-medium text-slate-600">Matching message: </span>
          {c.match}
        </p>
      )}
    </li>
  );
}

function NoMatch({ q }: { q: string }) {
  return (
    <section aria-labelledby="conversations-heading" className="rounded-lg bg-white p-6 text-sm text-slate-700">
      <h2 id="conversations-heading" className="text-lg font-semibold text-slate-900">
        No conversation matches “{q}”
      </h2>
      <p className="mt-2">
        The search looks in every message, and in customers&apos; names and phone numbers. Try fewer or other words, or{" "}
        <Link href="/dashboard/conversations" className="font-medium text-brand-800 underline">
          see all conversations
        </Link>
        .
      </p>
    </section>
  );
}

function EmptyState() {
  return (
    <section
      aria-labelledby="conversations-heading"
      className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700"
    >
      <h2 id="conversations-heading" className="text-lg font-semibold text-slate-900">
        No conversations yet
      </h2>
      <p className="mt-2">
        WhatsApp conversations appear here once ManyChat is connected: add your ManyChat API key and paste this
        workspace&apos;s webhook into your ManyChat flow in{" "}
        <Link href="/dashboard/settings" className="font-medium text-brand-800 underline">
          Settings
        </Link>
        . From then on, every customer message and the answer it got are listed here, with the pages the answer came
        from.
      </p>
      <p className="mt-2">
        Want to see it work first? Ask a question in the{" "}
        <Link href="/dashboard/playground" className="font-medium text-brand-800 underline">
          Playground
        </Link>
        : questions asked there, and through the API, are listed here too.
      </p>
    </section>
  );
}
