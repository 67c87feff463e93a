import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import { duration, utcTime } from "@/components/insights/format";
import { requireIdentity } from "@/lib/auth/current-identity";
import { AppError } from "@/lib/http/errors";
import { isSimulatorSubscriber } from "@/lib/manychat/simulator";
import {
  type Conversation,
  type ConversationMessage,
  getConversation,
  MAX_THREAD_MESSAGES,
  type MessageStatus,
} from "@/lib/rag/list-conversations";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("thread");
  return { title: t("title") };
}

const BADGE = {
  ok: "bg-brand-50 text-brand-800 ring-brand-600/40",
  warn: "bg-amber-50 text-amber-900 ring-amber-300",
  bad: "bg-red-50 text-red-800 ring-red-300",
  busy: "bg-sky-50 text-sky-900 ring-sky-300",
} as const;

/** The look of a message's status; its words are "thread.inbound.*" and "thread.outbound.*". */
const INBOUND_TONE: Record<MessageStatus, keyof typeof BADGE> = {
  answered: "ok",
  unanswered: "warn",
  failed: "bad",
  pending: "busy",
  limited: "bad",
  sent: "ok",
};

const OUTBOUND_TONE: Record<MessageStatus, keyof typeof BADGE> = {
  sent: "ok",
  failed: "bad",
  pending: "busy",
  answered: "ok",
  unanswered: "ok",
  limited: "bad",
};

type ThreadT = ReturnType<typeof useTranslations<"thread">>;

/** The stored error without the pipeline's own prefixes. */
const reason = (error: string) => error.replace(/^Could not answer:\s*/i, "").replace(/^(Error|[A-Z]\w*Error):\s*/, "");

/** What happened to a message, in plain words, when it did not simply work. */
function explanation(
  m: ConversationMessage,
  t: ThreadT,
): { tone: "warn" | "bad" | "info"; text: string; details?: string } | null {
  if (m.direction === "inbound") {
    switch (m.status) {
      case "unanswered":
        return { tone: "warn", text: t("explainUnanswered") };
      case "failed":
        return { tone: "bad", text: t("explainFailed"), details: m.error ? reason(m.error) : undefined };
      case "limited":
        return { tone: "bad", text: t("explainLimited") };
      default:
        return null;
    }
  }
  if (m.status === "failed") {
    return { tone: "bad", text: t("explainNotDelivered"), details: m.error ? reason(m.error) : undefined };
  }
  if (m.error) return { tone: "info", text: t("explainFallback") };
  return null;
}

const NOTE_CLASS = {
  warn: "bg-amber-50 text-amber-950",
  bad: "bg-red-50 text-red-900",
  info: "bg-slate-100 text-slate-800",
} as const;

export default async function ConversationPage({ params }: { params: Promise<{ subscriberId: string }> }) {
  const { subscriberId: raw } = await params;
  const identity = await requireIdentity("/dashboard/conversations");
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("thread");
  const tc = await getTranslations("conversations");
  let conversation: Conversation;
  try {
    conversation = await getConversation(identity, safeDecode(raw));
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  // Who the customer is, as far as we know (as in the list of conversations).
  const name = conversation.name || conversation.phone || tc("customerFallback", { id: conversation.subscriber_id });
  return (
    <div className="space-y-6">
      <p>
        <Link href="/dashboard/conversations" className="text-sm font-medium text-brand-800 underline">
          <span aria-hidden="true">← </span>
          {t("allConversations")}
        </Link>
      </p>
      <div>
        <h1 className="break-words text-2xl font-semibold">{name}</h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-700">
          {conversation.phone && (
            <div className="flex gap-1">
              <dt className="text-slate-600">{t("phone")}</dt>
              <dd className="font-medium">{conversation.phone}</dd>
            </div>
          )}
          <div className="flex gap-1">
            <dt className="text-slate-600">{t("channel")}</dt>
            <dd className="font-medium" data-testid="conversation-channel">
              {tc(`channel.${conversation.channel}`)}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-slate-600">{t("messages")}</dt>
            <dd className="font-medium">{conversation.message_count}</dd>
          </div>
          <div className="flex min-w-0 gap-1">
            <dt className="text-slate-600">{t("subscriberId")}</dt>
            <dd className="break-all font-mono text-xs leading-5">{conversation.subscriber_id}</dd>
          </div>
        </dl>
      </div>

      <section aria-labelledby="thread-heading" className="space-y-3">
        <h2 id="thread-heading" className="text-lg font-semibold">
          {t("heading")}
        </h2>
        {conversation.truncated && (
          <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
            {t("truncated", { shown: MAX_THREAD_MESSAGES, total: conversation.message_count })}
          </p>
        )}
        <ol className="space-y-4">
          {conversation.messages.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              showChannel={m.channel !== conversation.channel}
              simulated={isSimulatorSubscriber(conversation.subscriber_id)}
            />
          ))}
        </ol>
      </section>
    </div>
  );
}

/** Next.js hands the segment over still encoded in some versions; decode once, safely. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function MessageItem({
  message: m,
  showChannel,
  simulated,
}: {
  message: ConversationMessage;
  showChannel: boolean;
  /** The dashboard's simulator: its replies were shown there, never sent through ManyChat. */
  simulated: boolean;
}) {
  const t = useTranslations("thread");
  const tc = useTranslations("conversations");
  const format = useFormatter();
  const inbound = m.direction === "inbound";
  const status =
    simulated && !inbound && m.status === "sent"
      ? ({ label: t("simulated"), tone: "ok" } as const)
      : inbound
        ? { label: t(`inbound.${m.status}`), tone: INBOUND_TONE[m.status] }
        : { label: t(`outbound.${m.status}`), tone: OUTBOUND_TONE[m.status] };
  const note = explanation(m, t);
  const who = inbound ? t("customer") : t("assistant");
  const time = utcTime(format, m.created_at);
  return (
    <li
      data-direction={m.direction}
      aria-label={t("itemLabel", { who, time })}
      className={`w-fit min-w-0 max-w-[min(36rem,88%)] rounded-lg border p-3 ${
        inbound ? "mr-auto border-slate-200 bg-white" : "ml-auto border-brand-600/30 bg-brand-50"
      }`}
    >
      <p className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">{who}</span>
        <time dateTime={m.created_at}>{time}</time>
        {showChannel && <span>{t("via", { channel: tc(`channel.${m.channel}`) })}</span>}
      </p>
      <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900">{m.content}</p>
      <p className="mt-2 flex flex-wrap items-center gap-2 text-xs">
        <span
          data-testid="message-status"
          className={`inline-flex items-center rounded-full px-2 py-0.5 font-semibold ring-1 ${BADGE[status.tone]}`}
        >
          <span className="sr-only">{`${t("status")} `}</span>
          {status.label}
        </span>
        {!inbound && m.latency_ms != null && (
          <span className="text-slate-600">{t("answeredIn", { duration: duration(format, m.latency_ms) })}</span>
        )}
      </p>
      {note && (
        <div className={`mt-2 rounded-md px-3 py-2 text-sm ${NOTE_CLASS[note.tone]}`}>
          <p>{note.text}</p>
          {note.details && <p className="mt-1 break-words">{t("reason", { reason: note.details })}</p>}
        </div>
      )}
      {!inbound && m.sources.length > 0 && (
        <div className="mt-3">
          <p className="text-xs font-semibold text-slate-700">{t("sources")}</p>
          <ul className="mt-1 space-y-1 text-sm">
            {m.sources.map((s) => (
              <li key={`${s.chunk_id}-${s.page}`}>
                <details className="group rounded-md bg-white/70 px-2 py-1">
                  <summary className="cursor-pointer break-words text-slate-800">
                    <span aria-hidden="true">📄 </span>
                    {t("source", { filename: s.filename, page: s.page })}
                  </summary>
                  <blockquote className="mt-1 whitespace-pre-wrap break-words border-l-2 border-slate-300 pl-2 text-slate-700">
                    {s.excerpt}
                  </blockquote>
                </details>
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}
