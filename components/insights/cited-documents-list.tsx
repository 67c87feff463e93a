import { useFormatter, useTranslations } from "next-intl";
import type { CitedDocument } from "@/lib/insights/cited-documents";
import { utcTime } from "./format";

/** The documents the answers drew on, most cited first, each with a bar scaled to the first. */
export function CitedDocumentsList({ documents }: { documents: CitedDocument[] }) {
  const t = useTranslations("insights");
  const format = useFormatter();
  const most = Math.max(1, ...documents.map((d) => d.answers));
  return (
    <ol className="space-y-3">
      {documents.map((d) => (
        <li key={d.document_id} className="min-w-0">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
            <span className="min-w-0 break-all font-medium text-slate-900">
              {d.filename}
              {!d.still_uploaded && <span className="font-normal text-slate-600"> {t("deletedSince")}</span>}
            </span>
            <span className="shrink-0 tabular-nums text-slate-800">{t("answerCount", { count: d.answers })}</span>
          </div>
          <svg
            aria-hidden="true"
            viewBox="0 0 100 4"
            preserveAspectRatio="none"
            className="mt-1 block h-2 w-full rounded-sm bg-slate-100"
          >
            <rect width={(d.answers / most) * 100} height={4} fill="#047857" />
          </svg>
          <p className="mt-1 text-xs text-slate-600">
            {d.top_pages.length > 0 && (
              <>
                {t("mostCitedPages", { count: d.top_pages.length, pages: d.top_pages.join(", ") })}
                <span aria-hidden="true"> · </span>
              </>
            )}
            {t.rich("lastCited", {
              time: utcTime(format, d.last_cited_at),
              when: (chunks) => <time dateTime={d.last_cited_at}>{chunks}</time>,
            })}
          </p>
        </li>
      ))}
    </ol>
  );
}
