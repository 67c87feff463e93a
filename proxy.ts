import { type NextRequest, NextResponse } from "next/server";
import { newNonce, originOf, pageContentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * Next.js Proxy (the middleware of earlier versions): gives every page response a
 * Content-Security-Policy with a fresh nonce. Next.js reads the policy from the request
 * headers while rendering and puts the nonce on its scripts, so only the scripts we
 * serve run: an injected `<script>` or `onerror=` attribute does not. Every page is
 * dynamically rendered already (the root layout reads the locale cookie), which nonces
 * require. API routes are not matched: their headers come from next.config.ts, and
 * skipping them keeps request bodies (20 MB uploads) away from the proxy's buffering.
 */
export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const https =
    request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto")?.split(",")[0] === "https";
  const policy = pageContentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    https,
    connectOrigins: [
      ...originOf(process.env.NEXT_PUBLIC_SENTRY_DSN),
      ...originOf(process.env.NEXT_PUBLIC_SUPABASE_URL),
    ],
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Everything but the API and Next.js's static files (which carry no markup).
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
