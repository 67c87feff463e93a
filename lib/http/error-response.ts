import "server-only";
import { randomUUID } from "node:crypto";
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
  log.error({ request_id: requestId, err }, "unhandled error");
  // apiRoute answers the 500 itself, so Next.js's onRequestError never sees this error.
  void reportError(err, { where: "api", request_id: requestId });
  return Response.json(
    { error: { code: "internal", message: "Something went wrong on our side.", request_id: requestId } },
    { status: 500 },
  );
}
