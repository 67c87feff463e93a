"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { type FormEvent, type ReactNode, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { formatAnswer } from "@/lib/manychat/whatsapp-format";
import type { Answer } from "@/lib/rag/answer-question";
import { AnswerPanel } from "./answer-panel";
import { WhatsAppPreview } from "./whatsapp-preview";

interface Result {
  question: string;
  answer: Answer;
  messages: string[];
}

/** What the tenant has uploaded, for the empty state (counted on the server). */
export interface DocumentCounts {
  total: number;
  ready: number;
  /** More documents than were counted. */
  more: boolean;
}

const MAX_CHARS = 4000;

type PlaygroundT = ReturnType<typeof useTranslations<"playground">>;

interface Problem {
  message: string;
  /** The question itself is at fault (empty, too long). */
  onQuestion: boolean;
}

/** The API error envelope in plain words (API.md, "Errors"): the API's own message when it has one. */
function problemOf(status: number, body: unknown, t: PlaygroundT): Problem {
  const error = (body as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  const detail = Array.isArray(error?.details) ? (error.details[0] as { path?: unknown; message?: unknown }) : null;
  // /query words its field errors to follow the field name ("is empty").
  if (status === 422 && detail?.path === "question" && typeof detail.message === "string") {
    return { message: t("questionProblem", { problem: detail.message }), onQuestion: true };
  }
  const message =
    typeof error?.message === "string" && error.message
      ? error.message
      : status === 401
        ? t("errors.sessionEnded")
        : status >= 500
          ? t("errors.server")
          : t("errors.requestFailed", { status: String(status) });
  return { message, onQuestion: false };
}

/**
 * Ask a question, see the answer the way the API returns it (with its sources) and the
 * way the customer would get it on WhatsApp.
 */
export function Playground({ company, documents }: { company: string; documents: DocumentCounts }) {
  const t = useTranslations("playground");
  const [question, setQuestion] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);

  async function ask(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    const q = question.trim();
    if (!q) {
      setError({ message: t("typeFirst"), onQuestion: true });
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question: q }),
      });
      const body = await res.json().catch(() => null);
      if (res.ok && body) {
        const answer = body as Answer;
        setResult({ question: q, answer, messages: formatAnswer(answer.answer, answer.sources) });
      } else {
        setResult(null);
        setError(problemOf(res.status, body, t));
      }
    } catch {
      setResult(null);
      setError({ message: t("errors.network"), onQuestion: false });
    }
    setBusy(false);
  }

  return (
    <div className="space-y-6">
      <section aria-labelledby="ask-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="ask-heading" className="text-lg font-semibold">
          {t("askHeading")}
        </h2>
        <form onSubmit={ask} noValidate className="mt-3 space-y-3">
          <div>
            <label htmlFor="playground-question" className="block text-sm font-medium text-slate-800">
              {t("questionLabel")}
            </label>
            <textarea
              ref={field}
              id="playground-question"
              value={question}
              rows={3}
              maxLength={MAX_CHARS}
              aria-describedby={error ? "playground-question-help playground-error" : "playground-question-help"}
              aria-invalid={error?.onQuestion || undefined}
              onChange={(e) => setQuestion(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void ask();
                }
              }}
              placeholder={t("questionPlaceholder")}
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500"
            />
            <p id="playground-question-help" className="mt-1 text-xs text-slate-600">
              {t("questionHelp")}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={busy}>
              {busy ? t("thinking") : t("ask")}
            </Button>
            <p role="status" className="text-sm text-slate-700">
              {busy ? t("searching") : result ? t("answerReady") : ""}
            </p>
          </div>
          {error && (
            <p
              id="playground-error"
              role="alert"
              className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
            >
              {error.message}
            </p>
          )}
        </form>
      </section>

      {result ? (
        <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]" aria-busy={busy}>
          <AnswerPanel question={result.question} answer={result.answer} />
          <WhatsAppPreview company={company} question={result.question} messages={result.messages} />
        </div>
      ) : (
        <EmptyState documents={documents} />
      )}
    </div>
  );
}

function EmptyState({ documents }: { documents: DocumentCounts }) {
  const t = useTranslations("playground");
  const link = (chunks: ReactNode) => (
    <Link href="/dashboard/documents" className="font-medium text-brand-800 underline underline-offset-2">
      {chunks}
    </Link>
  );
  return (
    <section
      aria-labelledby="playground-empty-heading"
      className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700"
    >
      <h2 id="playground-empty-heading" className="text-lg font-semibold text-slate-900">
        {t("emptyHeading")}
      </h2>
      <p className="mt-2">{t("emptyText")}</p>
      {documents.total === 0 ? (
        <p className="mt-2" data-testid="playground-no-documents">
          {t.rich("noDocuments", { link })}
        </p>
      ) : documents.ready === 0 ? (
        <p className="mt-2">{t.rich("notReady", { link })}</p>
      ) : (
        <p className="mt-2">{t("searched", { count: documents.ready, plus: documents.more ? "+" : "" })}</p>
      )}
    </section>
  );
}
