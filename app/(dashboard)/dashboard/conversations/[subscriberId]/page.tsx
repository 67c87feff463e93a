import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireIdentity } from "@/lib/auth/current-identity";
import { AppError } from "@/lib/http/errors";
import {
  CHANNEL_LABEL,
  type Conversation,
  type ConversationMessage,
  displayName,
  formatTime,
  getConversation,
  MAX_THREAD_MESSAGES,
  type MessageStatus,
} from "@/lib/rag/list-conversations";

export const metadata: Metadata = { title: "Conversation" };

const BADGE = {
  ok: "bg-brand-50 text-brand-800 ring-brand-600/40",
  warn: "bg-amber-50 text-amber-900 ring-amber-300",
  bad: "bg-red-50 text-red-800 ring-red-300",
  busy: "bg-sky-50 text-sky-900 ring-sky-300",
} as const;

const INBOUND_STATUS: Record<MessageStatus, { label: string; tone: keyof typeof BADGE }> = {
  answered: { label: "Answered", tone: "ok" },
  unanswered: { label: "Unanswered", tone: "warn" },
  failed: { label: "Failed", tone: "bad" },
  pending: { label: "Waiting for the answer", tone: "busy" },
  limited: { label: "Over plan limit", tone: "bad" },
  sent: { label: "Received", tone: "ok" },
};

const OUTBOUND_STATUS: Record<MessageStatus, { label: string; tone: keyof typeof BADGE }> = {
  sent: { label: "Sent", tone: "ok" },
  failed: { label: "Not delivered", tone: "bad" },
  pending: { label: "Sending", tone: "busy" },
  answered: { label: "Sent", tone: "ok" },
  unanswered: { label: "Sent", tone: "ok" },
  limited: { label: "Not sent: over plan limit", tone: "bad" },
};

/** The stored error without the pipeline's own prefixes. */
const reason = (error: string) => error.replace(/^Could not answer:\s*/i, "").replace(/^(Error|[A-Z]\w*Error):\s*/, "");

/** What happened to a message, in plain words, when it did not simply work. */
function explanation(m: ConversationMessage): { tone: "warn" | "bad" | "info"; text: string; details?: string } | null {
  if (m.direction === "inbound") {
    switch (m.status) {
      case "unanswered":
        return {
          tone: "warn",
          text: "Your documents do not cover this question, so the customer got your refusal text. Adding a PDF that answers it fixes this for next time.",
        };
      case "failed":
        return {
          tone: "bad",
          text: "No answer could be prepared or delivered for this message.",
          details: m.error ? reason(m.error) : undefined,
        };
      case "limited":
        return {
          tone: "bad",
          text: "Your plan's monthly answers were used up, so this message was not answered.",
        };
      default:
        return null;
    }
  }
  if (m.status === "failed") {
    return {
      tone: "bad",
      text: "This reply did not reach the customer.",
      details: m.error ? reason(m.error) : undefined,
    };
  }
  if (m.error) return { tone: "info", text: "Your fallback message, sent because no answer could be prepared." };
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
  if (!identity.customerId) return null;
  let conversation: Conversation;
  try {
    conversation = await getConversation(identity, safeDecode(raw));
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  const name = displayName(conversation);
  return (
    <div className="space-y-6">
      <p>
        <Link href="/dashboard/conversations" className="text-sm font-medium text-brand-800 underline">
          <span aria-hidden="true">← </span>All conversations
        </Link>
      </p>
      <div>
        <h1 className="break-words text-2xl font-semibold">{name}</h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-700">
          {conversation.phone && (
            <div className="flex gap-1">
              <dt className="text-slate-600">Phone:</dt>
              <dd className="font-medium">{conversation.phone}</dd>
            </div>
          )}
          <div className="flex gap-1">
            <dt className="text-slate-600">Channel:</dt>
            <dd className="font-medium" data-testid="conversation-channel">
              {CHANNEL_LABEL[conversation.channel]}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-slate-600">Messages:</dt>
            <dd className="font-medium">{conversation.message_count}</dd>
          </div>
          <div className="flex min-w-0 gap-1">
            <dt className="text-slate-600">Subscriber id:</dt>
            <dd className="break-all font-mono text-xs leading-5">{conversation.subscriber_id}</dd>
          </div>
        </dl>
      </div>

      <section aria-labelledby="thread-heading" className="space-y-3">
        <h2 id="thread-heading" className="text-lg font-semibold">
          Messages
        </h2>
        {conversation.truncated && (
          <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
            Showing the latest {MAX_THREAD_MESSAGES} of {conversation.message_count} messages. The full log is available
            from the API (GET /api/v1/messages).
          </p>
        )}
        <ol className="space-y-4">
          {conversation.messages.map((m) => (
            <MessageItem key={m.id} message={m} showChannel={m.channel !== conversation.channel} />
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

function MessageItem({ message: m, showChannel }: { message: ConversationMessage; showChannel: boolean }) {
  const inbound = m.direction === "inbound";
  const status = (inbound ? INBOUND_STATUS : OUTBOUND_STATUS)[m.status];
  const note = explanation(m);
  const who = inbound ? "Customer" : "Assistant";
  return (
    <li
      data-direction={m.direction}
      aria-label={`${who}, ${formatTime(m.created_at)}`}
      className={`w-fit min-w-0 max-w-[min(36rem,88%)] rounded-lg border p-3 ${
        inbound ? "mr-auto border-slate-200 bg-white" : "ml-auto border-brand-600/30 bg-brand-50"
      }`}
    >
      <p className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">{who}</span>
        <time dateTime={m.created_at}>{formatTime(m.created_at)}</time>
        {showChannel && <span>via {CHANNEL_LABEL[m.channel]}</span>}
      </p>
      <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900">{m.content}</p>
      <p className="mt-2 flex flex-wrap items-center gap-2 text-xs">
        <span
          data-testid="message-status"
          className={`inline-flex items-center rounded-full px-2 py-0.5 font-semibold ring-1 ${BADGE[status.tone]}`}
        >
          <span className="sr-only">Status: </span>
          {status.label}
        </span>
        {!inbound && m.latency_ms != null && (
          <span className="text-slate-600">
            answered in {m.latency_ms < 1000 ? `${m.latency_ms} ms` : `${(m.latency_ms / 1000).toFixed(1)} s`}
          </span>
        )}
      </p>
      {note && (
        <div className={`mt-2 rounded-md px-3 py-2 text-sm ${NOTE_CLASS[note.tone]}`}>
          <p>{note.text}</p>
          {note.details && <p className="mt-1 break-words">Reason: {note.details}</p>}
        </div>
      )}
      {!inbound && m.sources.length > 0 && (
        <div className="mt-3">
          <p className="text-xs font-semibold text-slate-700">Sources</p>
          <ul className="mt-1 space-y-1 text-sm">
            {m.sources.map((s) => (
              <li key={`${s.chunk_id}-${s.page}`}>
                <details className="group rounded-md bg-white/70 px-2 py-1">
                  <summary className="cursor-pointer break-words text-slate-800">
                    <span aria-hidden="true">📄 </span>
                    {s.filename}, p. {s.page}
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
