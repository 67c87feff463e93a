"use client";

import { useFormatter, useTranslations } from "next-intl";
import { type Doc, formatBytes, isActive, MAX_MB, MAX_PAGES, PROGRESS_CLASS, useIsClient } from "./document-helpers";

/** The look of each status; its words are the "documents.status.*" messages. */
const STATUS: Record<Doc["status"], { icon: string; className: string }> = {
  pending: { icon: "…", className: "bg-slate-100 text-slate-800 ring-slate-300" },
  processing: { icon: "↻", className: "bg-sky-50 text-sky-900 ring-sky-300" },
  processed: { icon: "✓", className: "bg-brand-50 text-brand-800 ring-brand-600/40" },
  failed: { icon: "!", className: "bg-red-50 text-red-800 ring-red-300" },
};

/** The tenant's documents as cards: readable at any width, never wider than the screen. */
export function DocumentList({
  docs,
  onDelete,
  loadMore,
}: {
  docs: Doc[];
  onDelete: (doc: Doc) => void;
  loadMore: { onClick: () => void; busy: boolean } | null;
}) {
  const t = useTranslations("documents");
  if (docs.length === 0) return <EmptyState />;
  return (
    <section aria-labelledby="documents-heading" className="space-y-3">
      <h2 id="documents-heading" tabIndex={-1} className="text-lg font-semibold">
        {t.rich("listHeading", {
          count: docs.length,
          muted: (chunks) => <span className="font-normal text-slate-600">{chunks}</span>,
        })}
      </h2>
      <ul className="space-y-3">
        {docs.map((d) => (
          <DocumentCard key={d.id} doc={d} onDelete={onDelete} />
        ))}
      </ul>
      {loadMore && (
        <button
          type="button"
          onClick={loadMore.onClick}
          disabled={loadMore.busy}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
        >
          {loadMore.busy ? t("loading") : t("showOlder")}
        </button>
      )}
    </section>
  );
}

function EmptyState() {
  const t = useTranslations("documents");
  return (
    <section
      aria-labelledby="documents-heading"
      className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700"
    >
      <h2 id="documents-heading" tabIndex={-1} className="text-lg font-semibold text-slate-900">
        {t("emptyHeading")}
      </h2>
      <p className="mt-2">{t("emptyWhat", { maxMb: MAX_MB, maxPages: MAX_PAGES })}</p>
      <p className="mt-2">{t("emptyHow")}</p>
      <p className="mt-2">{t("emptyScans")}</p>
    </section>
  );
}

function DocumentCard({ doc, onDelete }: { doc: Doc; onDelete: (doc: Doc) => void }) {
  const t = useTranslations("documents");
  const format = useFormatter();
  const client = useIsClient();
  const status = STATUS[doc.status];
  const nameId = `doc-${doc.id}-name`;
  const uploaded = new Date(doc.upload_date);
  const facts = [
    doc.page_count != null ? t("pages", { count: doc.page_count }) : null,
    doc.status === "processed" ? t("passages", { count: doc.chunk_count }) : null,
    doc.size_bytes > 0 ? formatBytes(doc.size_bytes, t, format) : null,
  ].filter((f): f is string => f !== null);
  return (
    <li aria-labelledby={nameId} className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 flex-1 basis-56">
          <h3 id={nameId} className="break-all font-medium text-slate-900">
            {doc.filename}
          </h3>
          <p className="mt-1 text-sm text-slate-600">
            {facts.map((f) => (
              <span key={f}>
                {f}
                <span aria-hidden="true"> · </span>
              </span>
            ))}
            <span>
              {t.rich("uploaded", {
                // In the reader's time zone once in the browser; the server only knows the day (UTC).
                date: client
                  ? format.dateTime(uploaded, { dateStyle: "medium", timeStyle: "short", timeZone: localTimeZone() })
                  : doc.upload_date.slice(0, 10),
                time: (chunks) => <time dateTime={doc.upload_date}>{chunks}</time>,
              })}
            </span>
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-3">
          <span
            data-testid="document-status"
            className={`inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${status.className}`}
          >
            <span aria-hidden="true">{status.icon}</span>
            <span className="sr-only">{`${t("statusLabel")} `}</span>
            {t(`status.${doc.status}`)}
          </span>
          <button
            type="button"
            onClick={() => onDelete(doc)}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-xs font-medium text-slate-800 hover:border-red-300 hover:bg-red-50 hover:text-red-800"
          >
            {t("delete")}
            <span className="sr-only"> {doc.filename}</span>
          </button>
        </div>
      </div>
      {isActive(doc) && <PagesProgress doc={doc} nameId={nameId} />}
      {doc.status === "failed" && (
        <div className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          <p>{doc.error ?? t("unreadable")}</p>
          <p className="mt-1 text-red-800">{t("howToFix")}</p>
        </div>
      )}
      {doc.warnings.length > 0 && (
        <div className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950">
          <p className="font-medium">{t("warnings", { count: doc.warnings.length })}</p>
          <ul className="mt-1 list-disc space-y-1 pl-5">
            {doc.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

/** "Reading page 37 of 200" with a <progress> bar named after the document. */
function PagesProgress({ doc, nameId }: { doc: Doc; nameId: string }) {
  const t = useTranslations("documents");
  const total = doc.progress.pages_total;
  const done = Math.min(doc.progress.pages_done, total);
  const textId = `doc-${doc.id}-progress`;
  const text =
    total === 0
      ? t("waitingForFile")
      : doc.status === "pending"
        ? t("waitingToRead", { count: total })
        : done < total
          ? t("readingPage", { page: done + 1, total })
          : t("savingPassages");
  return (
    <div className="mt-3">
      <p id={textId} className="text-sm text-slate-700">
        {text}
      </p>
      <progress
        aria-labelledby={`${nameId} ${textId}`}
        max={Math.max(total, 1)}
        value={doc.status === "pending" ? 0 : done}
        className={PROGRESS_CLASS}
      />
    </div>
  );
}

/** The browser's time zone (undefined where it cannot tell: the formatter's own then). */
function localTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
