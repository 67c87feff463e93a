import type { Metadata } from "next";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { requireIdentity } from "@/lib/auth/current-identity";
import { AppError } from "@/lib/http/errors";
import { type ConversationSummary, listConversations } from "@/lib/rag/list-conversations";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("conversations");
  return { title: t("title") };
}

const PAGE_SIZE = 30;

/** The look of the status of a customer's latest message; its words are "conversations.status.*". */
const INBOUND_STATUS = {
  answered: "bg-brand-50 text-brand-800 ring-brand-600/40",
  unanswered: "bg-amber-50 text-amber-900 ring-amber-300",
  failed: "bg-red-50 text-red-800 ring-red-300",
  pending: "bg-sky-50 text-sky-900 ring-sky-300",
  limited: "bg-red-50 text-red-800 ring-red-300",
} as const;
type ShownStatus = keyof typeof INBOUND_STATUS;
const isShownStatus = (s: string | null): s is ShownStatus => s !== null && Object.hasOwn(INBOUND_STATUS, s);

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function ConversationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const identity = await requireIdentity("/dashboard/conversations");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("conversations");
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
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>

      <search>
        <form method="get" action="/dashboard/conversations" className="flex flex-wrap items-end gap-2">
          <div className="min-w-0 flex-1 basis-56">
            <label htmlFor="conversation-search" className="block text-sm font-medium text-slate-800">
              {t("searchLabel")}
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
              {t("searchHint")}
            </p>
          </div>
          <div className="flex gap-2 pb-5">
            <button
              type="submit"
              className="inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
            >
              {t("search")}
            </button>
            {q && (
              <Link
                href="/dashboard/conversations"
                className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                {t("clearSearch")}
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
              {t("noOlder")}
            </h2>
            <p className="mt-2">
              <Link href="/dashboard/conversations" className="font-medium text-brand-800 underline">
                {t("backToNewestConversations")}
              </Link>
            </p>
          </section>
        ) : (
          <EmptyState />
        )
      ) : (
        <section aria-labelledby="conversations-heading" className="space-y-3">
          <h2 id="conversations-heading" className="text-lg font-semibold">
            {q
              ? t.rich("matchingHeading", {
                  q,
                  count: list.items.length,
                  plus: list.next_cursor ? "+" : "",
                  muted: (chunks) => <span className="font-normal text-slate-600">{chunks}</span>,
                })
              : paged
                ? t("olderHeading")
                : t("latestHeading")}
          </h2>
          <ul className="space-y-3">
            {list.items.map((c) => (
              <ConversationCard key={c.subscriber_id} conversation={c} />
            ))}
          </ul>
          <nav aria-label={t("moreNav")} className="flex flex-wrap gap-3 pt-1">
            {paged && (
              <Link
                href={qs({})}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                {t("backToNewest")}
              </Link>
            )}
            {list.next_cursor && (
              <Link
                href={qs({ cursor: list.next_cursor })}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                {t("showOlder")}
              </Link>
            )}
          </nav>
        </section>
      )}
    </div>
  );
}

function ConversationCard({ conversation: c }: { conversation: ConversationSummary }) {
  const t = useTranslations("conversations");
  const format = useFormatter();
  // Who the customer is, as far as we know.
  const name = c.name || c.phone || t("customerFallback", { id: c.subscriber_id });
  const status = c.last_inbound_status;
  const nameId = `conversation-${encodeURIComponent(c.subscriber_id).replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const who = c.last_message.direction === "inbound" ? t("fromCustomer") : t("fromAssistant");
  // Rendered on the server, which does not know the reader's time zone: said to be UTC.
  const time = format.dateTime(new Date(c.last_message.created_at), {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
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
            <span>{t(`channel.${c.channel}`)}</span>
            <span aria-hidden="true"> · </span>
            <span>{t("messageCount", { count: c.message_count })}</span>
            <span aria-hidden="true"> · </span>
            <span>
              <span className="sr-only">{`${t("lastMessage")} `}</span>
              <time dateTime={c.last_message.created_at}>{t("time", { time })}</time>
            </span>
          </p>
        </div>
        {isShownStatus(status) && (
          <span
            data-testid="conversation-status"
            className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${INBOUND_STATUS[status]}`}
          >
            <span className="sr-only">{`${t("latestQuestion")} `}</span>
            {t(`status.${status}`)}
          </span>
        )}
      </div>
      <p className="mt-2 break-words text-sm text-slate-800">
        <span className="font-medium text-slate-600">{`${who} `}</span>
        {c.last_message.preview}
      </p>
      {c.match && (
        <p className="mt-1 break-words text-sm text-slate-700">
          <span className="font-medium text-slate-600">{`${t("matchingMessage")} `}</span>
          {c.match}
        </p>
      )}
    </li>
  );
}

function NoMatch({ q }: { q: string }) {
  const t = useTranslations("conversations");
  return (
    <section aria-labelledby="conversations-heading" className="rounded-lg bg-white p-6 text-sm text-slate-700">
      <h2 id="conversations-heading" className="text-lg font-semibold text-slate-900">
        {t("noMatchHeading", { q })}
      </h2>
      <p className="mt-2">
        {t.rich("noMatchText", {
          link: (chunks) => (
            <Link href="/dashboard/conversations" className="font-medium text-brand-800 underline">
              {chunks}
            </Link>
          ),
        })}
      </p>
    </section>
  );
}

/** An inline link of a translated sentence (t.rich's `link` tag). */
const inlineLink = (href: string) => (chunks: ReactNode) => (
  <Link href={href} className="font-medium text-brand-800 underline">
    {chunks}
  </Link>
);

function EmptyState() {
  const t = useTranslations("conversations");
  return (
    <section
      aria-labelledby="conversations-heading"
      className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700"
    >
      <h2 id="conversations-heading" className="text-lg font-semibold text-slate-900">
        {t("emptyHeading")}
      </h2>
      <p className="mt-2">{t.rich("emptyConnect", { link: inlineLink("/dashboard/settings") })}</p>
      <p className="mt-2">{t.rich("emptyTry", { link: inlineLink("/dashboard/playground") })}</p>
    </section>
  );
}
