import "server-only";
import { createHash } from "node:crypto";
import type { NextRequest } from "next/server";
import type { RequestMeta } from "@/lib/audit/record-audit";
import { resolveIdentity } from "@/lib/auth/accounts";
import type { Identity, Role } from "@/lib/auth/identity";
import { config } from "@/lib/config";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { clientIpFrom } from "./client-ip";
import { errorResponse, pickRequestId } from "./error-response";
import { AppError, forbidden, unauthenticated } from "./errors";
import { publicOrigin } from "./forwarded";
import { hitRateLimit } from "./rate-limit";

export { errorResponse, pickRequestId };

export const SESSION_COOKIE = "pa_session";

type Access = "public" | "user" | "tenant";

export interface RouteContext<P> {
  req: NextRequest;
  params: P;
  requestId: string;
  meta: RequestMeta;
  origin: string;
  /** Names the tenant in the request's log line when the route finds it itself (the webhook). */
  setTenantId: (id: string) => void;
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
>(
  options: {
    access: A;
    roles?: readonly Role[];
    resolveIdentity?: boolean;
    /**
     * Login, sign-up and logout: a browser may only call them from our own pages, with
     * JSON (CSRF; see assertOwnJsonCall). API clients without an Origin are unaffected.
     */
    ownPagesOnly?: boolean;
  },
  handler: Handler<P, A>,
) {
  return async (req: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    const started = performance.now();
    const requestId = pickRequestId(req.headers.get("x-request-id"));
    let response: Response;
    let tenantId: string | null = null;
    try {
      const meta: RequestMeta = {
        ip: clientIp(req),
        userAgent: req.headers.get("user-agent"),
        requestId,
      };
      if (options.ownPagesOnly) assertOwnJsonCall(req);
      // Public routes treat a bad token as no token: logging out or checking health must
      // work. A database that cannot be reached is not a bad token: that is a 503.
      const identity =
        options.resolveIdentity === false
          ? null
          : options.access === "public"
            ? await authenticate(req).catch((err: unknown) => {
                if (isDatabaseUnavailable(err)) throw err;
                return null;
              })
            : await authenticate(req);
      tenantId = identity?.customerId ?? null;
      if (options.access !== "public") {
        if (!identity) throw unauthenticated();
        if (identity.via === "cookie" && !isSafeMethod(req.method)) assertSameOrigin(req);
        if (options.roles && !options.roles.includes(identity.role)) throw forbidden();
        // Per user (every token and session of the account), in Postgres: holds across
        // instances. The key is a hash, so the counter names no one once an account is purged.
        await hitRateLimit(`api:user:${userKey(identity.userId)}`, config().API_RATE_LIMIT_PER_MINUTE, 60, "requests");
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
        setTenantId: (id) => {
          tenantId = id;
        },
        identity: identity as Identity,
      });
    } catch (err) {
      response = errorResponse(err, requestId);
    }
    response.headers.set("x-request-id", requestId);
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(req.nextUrl.pathname, await Promise.resolve(context?.params).catch(() => undefined));
    metrics().httpDuration.observe({ method: req.method, route, status: String(response.status) }, seconds);
    log.info(
      {
        request_id: requestId,
        method: req.method,
        route,
        path: req.nextUrl.pathname,
        status: response.status,
        ms: Math.round(seconds * 1000),
        ...(tenantId ? { tenant_id: tenantId } : {}),
      },
      "request",
    );
    return response;
  };
}

/**
 * The route's pattern from the path and its params, e.g. /api/v1/documents/[id]: what
 * metrics are labelled with (raw paths would make one series per document).
 */
export function routePattern(pathname: string, params: Record<string, string | string[]> | undefined): string {
  if (!params) return pathname;
  const segments = pathname.split("/");
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      // A catch-all takes the tail of the path.
      segments.splice(segments.length - value.length, value.length, `[...${name}]`);
      continue;
    }
    // From the end: parameters follow the static segments they belong to (/users/[id]).
    const i = segments.findLastIndex((s) => safeDecode(s) === value);
    if (i > 0) segments[i] = `[${name}]`;
  }
  return segments.join("/");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
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

const crossSiteRefused = () => forbidden("Cross-site request refused. Use a bearer token for API clients.");

function isOwnOrigin(req: NextRequest, origin: string): boolean {
  const appUrl = config().APP_URL;
  return origin === requestOrigin(req) || (!!appUrl && origin === new URL(appUrl).origin);
}

/** Cookie-authenticated mutations must come from our own pages (CSRF). */
function assertSameOrigin(req: NextRequest) {
  const origin = req.headers.get("origin");
  if (origin ? isOwnOrigin(req, origin) : req.headers.get("sec-fetch-site") === "same-origin") return;
  throw crossSiteRefused();
}

/**
 * Login, sign-up and logout carry no session to check (they make or end one), yet a
 * page elsewhere could submit them from the visitor's browser: log them in to the
 * attacker's account, or end their session. Browsers name the page's origin (Origin,
 * Sec-Fetch-Site) on such requests: anything but our own is refused; a client that sends
 * neither (curl, an SDK) is not a browser and is let through. The body must be JSON (or
 * absent, for logout): an HTML form can only send text/plain, urlencoded or multipart,
 * and a script on another site cannot send JSON here without a CORS preflight we never
 * answer.
 */
function assertOwnJsonCall(req: NextRequest) {
  const origin = req.headers.get("origin");
  const fetchSite = req.headers.get("sec-fetch-site");
  if (origin ? !isOwnOrigin(req, origin) : fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") {
    throw crossSiteRefused();
  }
  const type = req.headers.get("content-type");
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  const length = req.headers.get("content-length");
  const hasBody = (length !== null && length !== "0") || req.headers.has("transfer-encoding");
  if ((type !== null || hasBody) && mediaType !== "application/json") {
    throw new AppError("unsupported_media_type", "Send the body as JSON (Content-Type: application/json).");
  }
}

/** Our public origin for this request; X-Forwarded-* count only with TRUST_PROXY (./forwarded.ts). */
export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  return publicOrigin(
    (name) => req.headers.get(name),
    url.protocol === "https:" ? "https" : "http",
    url.host,
    config().TRUST_PROXY,
  );
}

const userKey = (userId: string) => createHash("sha256").update(userId).digest("base64url").slice(0, 22);

/** The caller's address, trusting TRUST_PROXY proxies' X-Forwarded-For entries (lib/http/client-ip.ts). */
function clientIp(req: Request): string | null {
  return clientIpFrom(req.headers.get("x-forwarded-for"), config().TRUST_PROXY);
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}

export function sessionCookieOptions(req: Request, maxAgeSeconds: number) {
  // Behind a TLS proxy that is not trusted (TRUST_PROXY=0), an https APP_URL says it.
  const secure = requestOrigin(req).startsWith("https:") || Boolean(config().APP_URL?.startsWith("https:"));
  return { httpOnly: true, sameSite: "lax" as const, secure, path: "/", maxAge: maxAgeSeconds };
}
