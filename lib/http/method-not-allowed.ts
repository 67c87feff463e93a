import "server-only";
import type { NextRequest } from "next/server";
import { AppError } from "./errors";
import { apiRoute } from "./route";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Other = Method | "OPTIONS";
type Handler = (req: NextRequest, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/**
 * Handlers for the methods a route does not serve: 405 with the error envelope,
 * `x-request-id` and `Allow`, through apiRoute like every other answer. Next.js would
 * otherwise answer them itself with an empty 405. Each route file exports the ones it
 * lacks, and OPTIONS (Next.js's own would list these as allowed):
 * `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);`.
 */
export function otherMethods(served: readonly Method[]): Record<Other, Handler> {
  const allow = [...served, ...(served.includes("GET") ? ["HEAD"] : []), "OPTIONS"].sort().join(", ");
  const refuse = apiRoute({ access: "public", resolveIdentity: false }, async ({ req }) => {
    throw new AppError(
      "method_not_allowed",
      `${req.method} is not allowed on ${req.nextUrl.pathname}. Allowed: ${allow}.`,
      undefined,
      { headers: { allow } },
    );
  }) as Handler;
  const options: Handler = async () => new Response(null, { status: 204, headers: { allow } });
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse, OPTIONS: options };
}
