import "server-only";
import pino from "pino";

/**
 * JSON-lines logger. Secrets never reach it: the redaction list covers every field
 * name that may carry one, and errors are logged through redactError (below), so the
 * values a failed statement was given (a customer's message, a secret's hash) do not
 * ride along in an error's message or properties.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { service: "pdf-answers" },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: [
      "password",
      "*.password",
      "token",
      "*.token",
      "access_token",
      "*.access_token",
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "manychat_api_key",
      "*.manychat_api_key",
      "secret",
      "*.secret",
    ],
    censor: "[redacted]",
  },
  serializers: { err: (err: unknown) => pino.stdSerializers.err(redactError(err) as Error) },
});

const REDACTED = "[redacted]";

/**
 * A copy of an error (and of its causes) without the data of the statement that failed:
 * Drizzle's DrizzleQueryError puts the parameters in its message ("Failed query: …
 * params: <secret hash>,<message text>,…") and in `params`; postgres.js keeps them in
 * `parameters`, and PostgreSQL's `detail` quotes row values ("Key (x)=(…) already
 * exists"). The SQL text itself stays: it holds placeholders, not values. The original
 * error is left as it is.
 */
export function redactError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) || depth > 8) return err;
  const copy = Object.create(Object.getPrototypeOf(err)) as Record<string, unknown>;
  for (const key of Reflect.ownKeys(err)) {
    // Configurable, so the fields below can be replaced (postgres.js defines `parameters` as fixed).
    Object.defineProperty(copy, key, { ...Object.getOwnPropertyDescriptor(err, key), configurable: true });
  }
  const original = err as unknown as Record<string, unknown>;
  const set = (key: string, value: unknown) =>
    Object.defineProperty(copy, key, {
      value,
      enumerable: Object.hasOwn(original, key) && isEnumerable(err, key),
      writable: true,
      configurable: true,
    });
  if ("params" in original) {
    const shown = `params: ${String(original.params)}`;
    const scrub = (text: unknown) => (typeof text === "string" ? text.replace(shown, `params: ${REDACTED}`) : text);
    set("message", scrub(err.message));
    set("stack", scrub(err.stack));
    set("params", REDACTED);
  }
  if ("parameters" in original) set("parameters", REDACTED);
  if (typeof original.detail === "string") set("detail", REDACTED);
  if (err.cause !== undefined) set("cause", redactError(err.cause, depth + 1));
  if (Array.isArray(original.errors))
    set(
      "errors",
      original.errors.map((e) => redactError(e, depth + 1)),
    );
  return copy;
}

const isEnumerable = (o: object, key: string) => Object.getOwnPropertyDescriptor(o, key)?.enumerable ?? false;
