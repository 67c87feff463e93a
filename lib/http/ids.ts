import { z } from "zod";
import { AppError } from "./errors";

/** A path id that is not a UUID cannot name a row: "not found", never a 500. */
export function assertUuid(value: string | undefined, what: string): string {
  if (!value || !z.uuid().safeParse(value).success) throw new AppError("not_found", `${what} not found.`);
  return value.toLowerCase();
}

/** Whether a value is a UUID (as our ids are): claims naming a user or a session must be. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && z.uuid().safeParse(value).success;
}
