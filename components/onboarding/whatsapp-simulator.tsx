"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useRef, useState } from "react";
import { WhatsAppPreview } from "@/components/playground/whatsapp-preview";
import { Button } from "@/components/ui/button";
import type { SimulatedMessage } from "@/lib/rag/simulate-message";

const MAX_CHARS = 4096;

interface Result {
  question: string;
  data: SimulatedMessage;
}

type OnboardingT = ReturnType<typeof useTranslations<"onboarding">>;

/** The API error envelope in plain words (API.md, "Errors"); the API's own message is shown as it is. */
function problemOf(status: number, body: unknown, t: OnboardingT): string {
  const error = (body as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  const detail = Array.isArray(error?.details) ? (error.details[0] as { path?: unknown; message?: unknown }) : null;
  if (status === 422 && detail?.path === "text" && typeof detail.message === "string") {
    return t("messageProblem", { problem: detail.message });
  }
  if (typeof error?.message === "string" && error.message) return error.message;
  if (status === 401) return t("errors.sessionEnded");
  if (status >= 500) return t("errors.server");
  return t("errors.requestFailed", { status });
}

/**
 * "Simulate a WhatsApp message": sends a customer message through the real pipeline
 * (POST /api/v1/simulate) and shows what WhatsApp would show: the acknowledgement, then
 * the answer. Nothing is sent through ManyChat.
 */
export function WhatsAppSimulator({
  company,
  burstSeconds,
  hasDocuments,
}: {
  company: string;
  burstSeconds: number;
  hasDocuments: boolean;
}) {
  const t = useTranslations("onboarding");
  const router = useRouter();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);

  async function simulate(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    const question = text.trim();
    if (!question) {
      setError(t("typeFirst"));
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/simulate", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: question }),
      });
      const body = await res.json().catch(() => null);
      if (res.ok && body) {
        setResult({ question, data: body as SimulatedMessage });
        // The checklist's "send a test message" step may be done now.
        router.refresh();
      } else {
        setError(problemOf(res.status, body, t));
      }
    } catch {
      setError(t("errors.network"));
    }
    setBusy(false);
  }

  const waiting = burstSeconds > 0 ? t("waitingBurst", { seconds: burstSeconds }) : t("waiting");

  return (
    <div className="space-y-4">
      <form onSubmit={simulate} noValidate className="space-y-3">
        <div>
          <label htmlFor="simulator-text" className="block text-sm font-medium text-slate-800">
            {t("messageLabel")}
          </label>
          <textarea
            ref={field}
            id="simulator-text"
            value={text}
            rows={2}
            maxLength={MAX_CHARS}
            aria-describedby={error ? "simulator-hint simulator-error" : "simulator-hint"}
            aria-invalid={error && !text.trim() ? true : undefined}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void simulate();
              }
            }}
            placeholder={t("placeholder")}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500"
          />
          <p id="simulator-hint" className="mt-1 text-xs text-slate-600">
            {hasDocuments ? t("hintDocs") : t("hintNoDocs")}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={busy}>
            {busy ? t("simulating") : t("simulate")}
          </Button>
          <p role="status" className="text-sm text-slate-700">
            {busy ? waiting : result ? t("replyReceived") : ""}
          </p>
        </div>
        {error && (
          <p
            id="simulator-error"
            role="alert"
            className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {error}
          </p>
        )}
      </form>
      {result && <Outcome company={company} result={result} />}
    </div>
  );
}

function Outcome({ company, result }: { company: string; result: Result }) {
  const t = useTranslations("onboarding");
  const { data } = result;
  const ack = data.acknowledgement.content.messages[0]?.text ?? "";
  return (
    <div className="space-y-3">
      <OutcomeNote data={data} />
      <WhatsAppPreview
        id="simulator-whatsapp"
        headingLevel={4}
        company={company}
        question={result.question}
        acknowledgement={ack}
        messages={data.reply?.messages ?? []}
      />
      <p className="text-sm text-slate-700">
        {t.rich("recorded", {
          link: (chunks) => (
            <Link
              href={`/dashboard/conversations/${encodeURIComponent(data.subscriber_id)}`}
              className="font-medium text-brand-800 underline underline-offset-2"
            >
              {chunks}
            </Link>
          ),
        })}
      </p>
    </div>
  );
}

function OutcomeNote({ data }: { data: SimulatedMessage }) {
  const t = useTranslations("onboarding");
  const format = useFormatter();
  const latency = data.reply?.latency_ms;
  switch (data.status) {
    case "answered":
      return (
        <p
          data-testid="simulator-outcome"
          className="inline-flex items-center gap-1 rounded-full bg-brand-50 px-2.5 py-0.5 text-xs font-semibold text-brand-800 ring-1 ring-brand-600/40"
        >
          <span aria-hidden="true">✓</span>{" "}
          {latency != null
            ? t("answeredIn", {
                seconds: format.number(latency / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
              })
            : t("answered")}
        </p>
      );
    case "unanswered":
      return (
        <p data-testid="simulator-outcome" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950">
          {t.rich("unanswered", {
            link: (chunks) => (
              <Link href="/dashboard/insights" className="font-medium underline underline-offset-2">
                {chunks}
              </Link>
            ),
          })}
        </p>
      );
    case "limited":
      return (
        <p data-testid="simulator-outcome" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950">
          {t.rich("limited", {
            link: (chunks) => (
              <Link href="/dashboard/billing" className="font-medium underline underline-offset-2">
                {chunks}
              </Link>
            ),
          })}
        </p>
      );
    case "pending":
      return (
        <p data-testid="simulator-outcome" className="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-950">
          {t("pending")}
        </p>
      );
    default:
      return (
        <p data-testid="simulator-outcome" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {data.error ? t("failedWithError", { error: data.error }) : t("failed")}
        </p>
      );
  }
}
