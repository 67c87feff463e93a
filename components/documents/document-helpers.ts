import { useSyncExternalStore } from "react";
import type { DocumentView } from "@/lib/documents/read-documents";

/** A document as the API returns it (GET /api/v1/documents/{id}). */
export type Doc = DocumentView;

export const MAX_MB = 20;
export const MAX_PAGES = 200;

/** A <progress> bar in the brand colour (the native look ignores accent-color once sized). */
export const PROGRESS_CLASS =
  "mt-1 block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-200 [&::-moz-progress-bar]:bg-brand-700 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-brand-700";

export const isActive = (d: Doc) => d.status === "pending" || d.status === "processing";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

const noSubscribe = () => () => {};
/** False while rendering on the server and hydrating, true afterwards (local dates, time zones). */
export const useIsClient = () =>
  useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );

/** The `error.message` of the API envelope, or plain words for the status when there is none. */
export function apiErrorMessage(status: number, body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === "string" && message) return message;
  switch (status) {
    case 401:
      return "Your session has ended. Log in again, then retry.";
    case 403:
      return "You are not allowed to do this in this workspace.";
    case 404:
      return "This document no longer exists.";
    case 409:
      return "This file is already uploaded.";
    case 413:
      return `This file is too large: each PDF can be at most ${MAX_MB} MB.`;
    case 415:
      return "This file is not a PDF. Upload a .pdf document.";
    case 422:
      return `This PDF could not be accepted (at most ${MAX_PAGES} pages).`;
    default:
      return status >= 500
        ? "The server could not handle this right now. Try again in a minute."
        : `The request failed (HTTP ${status}).`;
  }
}

export const NETWORK_ERROR = "Could not reach the server. Check your connection and try again.";
