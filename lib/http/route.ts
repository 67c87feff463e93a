import "server-only";
import type { NextRequest } from "next/server";
import type { RequestMeta } from "@/lib/audit/record-audit";
import { resolveIdentity } from "@/lib/auth/accounts";
import type { Identity, Role } from "@/lib/auth/identity";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { errorResponse, pickRequestId } from "./error-response";
import { forbidden, unauthenticated } from "./errors";

export { errorResponse, pickRequestId };

export const SESSION_COOKIE = "pa_session";

type Access = "public" | "user" | "tenant";

export interface RouteContext<P> {
  req: NextRequest;
  params: P;
  requestId: string;
  meta: RequestMeta;
  origin: string;
}
export interface AuthedContext<P> extends RouteContext<P> {
  identity: Identity;
}

type Handler<P, A extends Access> = (
  ctx: [A] extends ["public"] ? RouteContext<P> & { identity: Identity | null } : AuthedContext<P>,
) => Promise<Response>;

/**
 * The one wrapper every API handler goes through: request id, authentication (bearer
 * token or session cookie), tenant and role checks, CSRF protection for cookie
 * sessions, and the mapping of every error to the envelope of API.md.
 */
export function apiRoute<
  P extends Record<string, string | string[]> = Record<string, never>,
  A extends Access = Access,
>(options: { access: A; roles?: readonly Role[]; resolveIdentity?: boolean }, handler: Handler<P, A>) {
  return async (req: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    const started = performance.now();
    const requestId = pickRequestId(req.headers.get("x-request-id"));
    let response: Response;
    try {
      const meta: RequestMeta = {
        ip: clientIp(req),
        userAgent: req.headers.get("user-agent"),
        requestId,
      };
      // Public routes treat a bad token as no token: logging out or checking health must work.
      const identity =
        options.resolveIdentity === false
          ? null
          : options.access === "public"
            ? await authenticate(req).catch(() => null)
            : await authenticate(req);
      if (options.access !== "public") {
        if (!identity) throw unauthenticated();
        if (identity.via === "cookie" && !isSafeMethod(req.method)) assertSameOrigin(req);
        if (options.roles && !options.roles.includes(identity.role)) throw forbidden();
        if (options.access === "tenant") {
          if (!identity.customerId) throw forbidden("This account has no workspace of its own.");
          if (identity.customerStatus !== "active") {
            throw forbidden(
              identity.customerStatus === "suspended"
                ? "This workspace is suspended. Contact support."
                : "This workspace is scheduled for deletion.",
            );
          }
        }
      }
      const params = (await context.params) ?? ({} as P);
      response = await handler({
        req,
        params,
        requestId,
        meta,
        origin: requestOrigin(req),
        identity: identity as Identity,
      });
    } catch (err) {
      response = errorResponse(err, requestId);
    }
    response.headers.set("x-request-id", requestId);
    const ms = Math.round(performance.now() - started);
    log.info(
      { request_id: requestId, method: req.method, route: req.nextUrl.pathname, status: response.status, ms },
      "request",
    );
    return response;
  };
}

async function authenticate(req: NextRequest): Promise<Identity | null> {
  const header = req.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw unauthenticated("The Authorization header must be 'Bearer <token>'.");
    const identity = await resolveIdentity(match[1] as string, "bearer");
    if (!identity) throw unauthenticated("The bearer token is invalid, expired or revoked.");
    return identity;
  }
  if (config().authMode === "supabase") return resolveIdentity(null, "cookie");
  const cookie = req.cookies.get(SESSION_COOKIE)?.value;
  return cookie ? resolveIdentity(cookie, "cookie") : null;
}

const isSafeMethod = (m: string) => m === "GET" || m === "HEAD" || m === "OPTIONS";

/** Cookie-authenticated mutations must come from our own pages (CSRF). */
function assertSameOrigin(req: NextRequest) {
  const origin = req.headers.get("origin");
  const fetchSite = req.headers.get("sec-fetch-site");
  if (origin) {
    const allowed = new Set([requestOrigin(req)]);
    const appUrl = config().APP_URL;
    if (appUrl) allowed.add(new URL(appUrl).origin);
    if (allowed.has(origin)) return;
  } else if (fetchSite === "same-origin") {
    return;
  }
  throw forbidden("Cross-site request refused. Use a bearer token for API clients.");
}

export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

function clientIp(req: Request): string | null {
  const forwarded = req.headers.get("x-forwarded-for");
  if (forwarded) return forwarded.split(",")[0]?.trim() || null;
  return req.headers.get("x-real-ip");
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}

export function sessionCookieOptions(req: Request, maxAgeSeconds: number) {
  const secure = requestOrigin(req).startsWith("https:");
  return { httpOnly: true, sameSite: "lax" as const, secure, path: "/", maxAge: maxAgeSeconds };
}
