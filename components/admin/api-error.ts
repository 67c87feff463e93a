import type { AdminT } from "./format";

/** The API envelope's message for a failed admin call, or plain words for its status. */
export function adminApiError(status: number, body: unknown, t: AdminT): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === "string" && message) return message;
  if (status === 401) return t("apiErrors.sessionEnded");
  if (status === 403) return t("apiErrors.forbidden");
  return status >= 500 ? t("apiErrors.server") : t("apiErrors.requestFailed", { status: String(status) });
}
