/**
 * Whether an error means the database cannot be reached or cannot serve right now (as
 * opposed to a bug in a statement): the caller answers 503 with Retry-After instead of
 * 500, and a request's identity is "unknown", not "invalid". Covers postgres.js's own
 * connection errors, the socket errors it passes on, and PostgreSQL's connection-class
 * SQLSTATEs; Drizzle wraps them in DrizzleQueryError, so the cause chain is walked.
 */
const CONNECTION_CODES = new Set([
  // postgres.js
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  // node:net
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now (starting up or in
  // recovery), too many connections, database being dropped or renamed away, read-only standby.
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "3D000",
  "25006",
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    // Class 08: connection exception (08000, 08003, 08006, 08001, 08004…).
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    // An AggregateError (several addresses refused) carries its causes in `errors`.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
