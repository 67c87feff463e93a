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
    if (typeof at !== "string" || typeof id !== "string" || Number.isNaN(Date.parse(at))) throw new Error();
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
