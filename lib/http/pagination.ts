import { z } from "zod";
import { AppError } from "./errors";

/** Query parameters every list endpoint accepts (API.md, "Lists"). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/** Keyset cursor over (timestamp, id), opaque to clients. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    // Timestamps keep Postgres' microseconds ("2026-11-28 06:05:00.123456+00"), so rows
    // in the same millisecond are neither skipped nor repeated across pages.
    const timestamp = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;
    if (typeof at !== "string" || typeof id !== "string" || !timestamp.test(at) || !/^[0-9a-f-]{36}$/i.test(id)) {
      throw new Error();
    }
    return { at, id };
  } catch {
    throw new AppError("validation_failed", "Query string is not valid.", [
      { path: "cursor", message: "is not a cursor returned by this list" },
    ]);
  }
}

export function page<T>(items: T[], limit: number, key: (item: T) => [string, string]) {
  const hasMore = items.length > limit;
  const shown = hasMore ? items.slice(0, limit) : items;
  const last = shown[shown.length - 1];
  return { items: shown, next_cursor: hasMore && last ? encodeCursor(...key(last)) : null };
}
