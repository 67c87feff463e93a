import "server-only";
import { randomUUID } from "node:crypto";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { log } from "@/lib/log";
import { reportError } from "@/lib/report-error";
import { AppError } from "./errors";

/**
 * The error envelope of API.md and the request id, for apiRoute (lib/http/route.ts) and
 * for the server's direct webhook path (server.ts), which must not load the auth code.
 */

export function pickRequestId(incoming: string | null): string {
  return incoming && /^[A-Za-z0-9._-]{8,100}$/.test(incoming) ? incoming : randomUUID();
}

export function errorResponse(err: unknown, requestId: string): Response {
  if (err instanceof AppError) {
    return Response.json(
      {
        error: {
          code: err.code,
          message: err.message,
          ...(err.details !== undefined ? { details: err.details } : {}),
          request_id: requestId,
        },
      },
      { status: err.status, headers: err.init?.headers },
    );
  }
  if (isDatabaseUnavailable(err)) {
    // An outage, not a bug: the client may retry (ManyChat, an API client), nothing is
    // known about its credentials, and one report per request would flood Sentry;
    // /api/v1/health says the same to the load balancer and the operator.
    log.warn({ request_id: requestId, err }, "database unavailable");
    return databaseUnavailableResponse(requestId);
  }
  log.error({ request_id: requestId, err }, "unhandled error");
  // apiRoute answers the 500 itself, so Next.js's onRequestError never sees this error.
  void reportError(err, { where: "api", request_id: requestId });
  return Response.json(
    { error: { code: "internal", message: "Something went wrong on our side.", request_id: requestId } },
    { status: 500 },
  );
}

/** Seconds a client is asked to wait when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

function databaseUnavailableResponse(requestId: string): Response {
  return Response.json(
    {
      error: {
        code: "service_unavailable",
        message: "The service cannot reach its database right now. Try again in a few seconds.",
        request_id: requestId,
      },
    },
    { status: 503, headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } },
  );
}
