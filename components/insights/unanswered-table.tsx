import { useFormatter, useTranslations } from "next-intl";
import type { UnansweredQuestion } from "@/lib/insights/unanswered-questions";
import { TD, TH } from "./chart-frame";
import { utcTime } from "./format";

/** Questions the documents did not answer, grouped, the most asked first. */
export function UnansweredTable({ questions }: { questions: UnansweredQuestion[] }) {
  const t = useTranslations("insights");
  const format = useFormatter();
  return (
    <section
      aria-label={t("unansweredTableLabel")}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrolls sideways on phones; a keyboard must reach it.
      tabIndex={0}
      className="overflow-x-auto rounded-md border border-slate-200"
    >
      <table className="w-full text-sm" data-testid="unanswered-table">
        <caption className="sr-only">{t("unansweredCaption")}</caption>
        <thead>
          <tr>
            <th scope="col" className={TH}>
              {t("question")}
            </th>
            <th scope="col" className={`${TH} text-right`}>
              {t("timesAsked")}
            </th>
            <th scope="col" className={TH}>
              {t("lastAsked")}
            </th>
          </tr>
        </thead>
        <tbody>
          {questions.map((q) => (
            <tr key={q.normalized} className="align-top">
              <th scope="row" className={`${TD} min-w-48 break-words py-2 text-left font-normal text-slate-900`}>
                {q.example}
              </th>
              <td className={`${TD} py-2 text-right`}>{format.number(q.times_asked)}</td>
              <td className={`${TD} py-2 text-slate-700`}>
                <time dateTime={q.last_asked_at}>{utcTime(format, q.last_asked_at)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
