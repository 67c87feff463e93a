import "server-only";
import type { z } from "zod";
import { AppError, type FieldIssue } from "./errors";
import { readTextCapped } from "./read-body";

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

function readBody(req: Request): Promise<string> {
  return readTextCapped(req, MAX_JSON_BYTES, "The request body is larger than 1 MB.");
}

/** Reads a JSON body (capped at 1 MB) and validates it. */
export async function parseJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  return parseJsonText(await readBody(req), schema);
}

/** Like parseJson for an action whose body is optional: no body at all reads as `{}`. */
export async function parseOptionalJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const text = await readBody(req);
  return text.trim() === "" ? validate(schema, {}) : parseJsonText(text, schema);
}

function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let body: unknown;
  try {
    body = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
  if (body === undefined) throw new AppError("invalid_json", "The request body is empty; send a JSON object.");
  assertStorableText(body);
  return validate(schema, body);
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  assertStorableText(params, "Query string");
  return validate(schema, params, "Query string");
}

/**
 * PostgreSQL text cannot hold the NUL character (U+0000): a string carrying one would
 * fail in the database as a 500. It is refused up front, naming the field, in bodies and
 * query strings alike. (Lone surrogates need nothing: they are stored as U+FFFD.)
 */
export function assertStorableText(value: unknown, what = "Request body"): void {
  const issues: FieldIssue[] = [];
  // Iterative: a 1 MB body can nest deeper than the call stack.
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length > 0 && issues.length < 20) {
    const [v, path] = stack.pop() as [unknown, string[]];
    if (typeof v === "string") {
      if (v.includes("\u0000")) {
        issues.push({ path: path.length > 0 ? path.join(".") : "(body)", message: "contains a NUL character" });
      }
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        if (typeof item === "string" || (item !== null && typeof item === "object")) {
          stack.push([item, path.length < 10 ? [...path, k] : path]);
        }
      }
    }
  }
  if (issues.length > 0) throw new AppError("validation_failed", `${what} is not valid.`, issues);
}
