import "server-only";
import type { z } from "zod";
import { AppError, type FieldIssue } from "./errors";

const MAX_JSON_BYTES = 1024 * 1024;

export function zodIssues(error: z.ZodError): FieldIssue[] {
  const issues = error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join(".") : "(body)",
    message: i.message,
    wrongType: i.code === "invalid_type",
  }));
  // A value of the wrong type also fails its length checks; only the type error helps.
  const mistyped = new Set(issues.filter((i) => i.wrongType).map((i) => i.path));
  return issues.filter((i) => i.wrongType || !mistyped.has(i.path)).map(({ path, message }) => ({ path, message }));
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, what = "Request body"): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("validation_failed", `${what} is not valid.`, zodIssues(parsed.error));
  }
  return parsed.data;
}

/** Reads a JSON body (capped at 1 MB) and validates it. */
export async function parseJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_JSON_BYTES) throw new AppError("payload_too_large", "The request body is larger than 1 MB.");
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) {
    throw new AppError("payload_too_large", "The request body is larger than 1 MB.");
  }
  let body: unknown;
  try {
    body = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
  if (body === undefined) throw new AppError("invalid_json", "The request body is empty; send a JSON object.");
  return validate(schema, body);
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  return validate(schema, params, "Query string");
}
