import type { useFormatter, useTranslations } from "next-intl";
import { useSyncExternalStore } from "react";
import type { DocumentView } from "@/lib/documents/read-documents";

/** A document as the API returns it (GET /api/v1/documents/{id}). */
export type Doc = DocumentView;

/** The translator of the "documents" messages (useTranslations("documents")). */
export type DocumentsT = ReturnType<typeof useTranslations<"documents">>;
/** next-intl's formatter (useFormatter()). */
export type Formatter = ReturnType<typeof useFormatter>;

export const MAX_MB = 20;
export const MAX_PAGES = 200;

/** A <progress> bar in the brand colour (the native look ignores accent-color once sized). */
export const PROGRESS_CLASS =
  "mt-1 block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-200 [&::-moz-progress-bar]:bg-brand-700 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-brand-700";

export const isActive = (d: Doc) => d.status === "pending" || d.status === "processing";

/** "512 B", "34 KB", "1.5 MB" (in the UI's language: "1,5 Mo"). */
export function formatBytes(bytes: number, t: DocumentsT, format: Formatter): string {
  if (bytes < 1024) return t("bytes", { size: format.number(bytes, { useGrouping: false }) });
  if (bytes < 1024 * 1024) {
    return t("kilobytes", { size: format.number(Math.round(bytes / 1024), { useGrouping: false }) });
  }
  return t("megabytes", { size: megabytes(bytes, format) });
}

/** Megabytes with one decimal, as the UI's language writes it. */
export const megabytes = (bytes: number, format: Formatter) =>
  format.number(bytes / (1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });

const noSubscribe = () => () => {};
/** False while rendering on the server and hydrating, true afterwards (local dates, time zones). */
export const useIsClient = () =>
  useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );

/** The `error.message` of the API envelope (as the API words it), or plain words for the status when there is none. */
export function apiErrorMessage(status: number, body: unknown, t: DocumentsT): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === "string" && message) return message;
  switch (status) {
    case 401:
      return t("errors.sessionEnded");
    case 403:
      return t("errors.forbidden");
    case 404:
      return t("errors.notFound");
    case 409:
      return t("errors.duplicate");
    case 413:
      return t("errors.tooLarge", { maxMb: MAX_MB });
    case 415:
      return t("errors.notPdf");
    case 422:
      return t("errors.notAccepted", { maxPages: MAX_PAGES });
    default:
      return status >= 500 ? t("errors.server") : t("errors.requestFailed", { status: String(status) });
  }
}
