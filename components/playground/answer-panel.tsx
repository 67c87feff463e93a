import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { Answer } from "@/lib/rag/answer-question";

const MODES: readonly string[] = ["generative", "extractive"] satisfies Answer["mode"][];

/** The answer as the API returns it: text, whether the documents cover it, mode, latency, sources. */
export function AnswerPanel({ question, answer }: { question: string; answer: Answer }) {
  const t = useTranslations("playground");
  const format = useFormatter();
  const rewritten = answer.standalone_question.trim() !== question.trim();
  return (
    <div className="min-w-0 space-y-6">
      <section aria-labelledby="answer-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="answer-heading" className="text-lg font-semibold">
          {t("answerHeading")}
        </h2>
        <p className="mt-1 break-words text-sm text-slate-600">
          {t.rich("answerTo", { question, q: (chunks) => <q>{chunks}</q> })}
        </p>
        {answer.answered ? (
          <p
            data-testid="answered"
            className="mt-3 inline-flex items-center gap-1 rounded-full bg-brand-50 px-2.5 py-0.5 text-xs font-semibold text-brand-800 ring-1 ring-brand-600/40"
          >
            <span aria-hidden="true">✓</span> {t("answered")}
          </p>
        ) : (
          <div data-testid="not-answered" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950">
            <p className="font-semibold">{t("notAnswered")}</p>
            <p className="mt-1">
              {t.rich("notAnsweredText", {
                link: (chunks) => (
                  <Link href="/dashboard/settings" className="font-medium underline underline-offset-2">
                    {chunks}
                  </Link>
                ),
              })}
            </p>
          </div>
        )}
        <div data-testid="answer-text" className="mt-3 whitespace-pre-wrap break-words text-slate-900">
          {answer.answer}
        </div>
        <dl className="mt-4 grid gap-3 border-t border-slate-100 pt-3 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-600">{t("mode")}</dt>
            <dd className="font-medium" data-testid="answer-mode">
              {MODES.includes(answer.mode) ? t(`modes.${answer.mode}`) : answer.mode}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("latency")}</dt>
            <dd className="font-medium" data-testid="answer-latency">
              {t("milliseconds", { ms: answer.latency_ms })}
            </dd>
          </div>
          {rewritten && (
            <div className="sm:col-span-2">
              <dt className="text-slate-600">{t("searchedAs")}</dt>
              <dd className="break-words font-medium">{answer.standalone_question}</dd>
            </div>
          )}
        </dl>
        {answer.mode === "extractive" && <p className="mt-3 text-xs text-slate-600">{t("extractiveNote")}</p>}
      </section>

      <section aria-labelledby="sources-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="sources-heading" className="text-lg font-semibold">
          {t.rich("sourcesHeading", {
            count: answer.sources.length,
            muted: (chunks) => <span className="font-normal text-slate-600">{chunks}</span>,
          })}
        </h2>
        {answer.sources.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">{t("noSources")}</p>
        ) : (
          <ol className="mt-3 space-y-3">
            {answer.sources.map((s) => (
              <li
                key={s.chunk_id}
                aria-label={t("sourceLabel", { filename: s.filename, page: s.page })}
                className="rounded-md border border-slate-200 p-3"
              >
                <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
                  <span className="break-all font-medium text-slate-900">{s.filename}</span>
                  <span className="text-slate-700">{t("sourcePage", { page: s.page })}</span>
                  <span className="text-slate-600">
                    {t("sourceScore", {
                      score: format.number(s.score, { minimumFractionDigits: 3, maximumFractionDigits: 3 }),
                    })}
                  </span>
                </p>
                <blockquote className="mt-2 whitespace-pre-wrap break-words border-l-2 border-slate-300 pl-3 text-sm text-slate-700">
                  {s.excerpt}
                </blockquote>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
