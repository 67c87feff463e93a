/**
 * The security headers of every response, in one place: next.config.ts applies the
 * static ones to every path, proxy.ts adds the pages' Content-Security-Policy with a
 * fresh nonce per request, and server.ts's direct webhook path sends the static ones and
 * the API policy itself. No imports: next.config.ts and proxy.ts load this file too.
 */

/** One year; browsers ignore the header on plain-HTTP responses, so it is sent always. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  // Older browsers' equivalent of frame-ancestors 'none'.
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** API responses are JSON (or a file): nothing in them may load, run or be framed. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A nonce for one page response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The pages' policy. Scripts: only those carrying this response's nonce (Next.js puts it
 * on its own scripts and inline data when it finds it in the request's CSP header), and
 * what they load ('strict-dynamic'). Styles: the stylesheets of our origin and nonce'd
 * <style> elements; `style` attributes (React's style prop: a progress bar, a chart
 * legend) are allowed by style-src-attr, which cannot run code. Development needs eval
 * (React's debugging) and inline styles (hot reload injects them without the nonce).
 */
export function pageContentSecurityPolicy(opts: {
  nonce: string;
  dev: boolean;
  https: boolean;
  /** Extra origins the browser talks to (Sentry's ingest, Supabase). */
  connectOrigins?: readonly string[];
}): string {
  const connect = ["'self'", ...(opts.connectOrigins ?? [])].join(" ");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    opts.dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${opts.nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** The origin of a URL, or nothing when it is not one (a missing or malformed setting). */
export function originOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}
