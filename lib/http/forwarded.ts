/**
 * The public origin of a request (scheme and host the client used), for links we hand
 * out (the webhook URL, signed upload URLs), the CSRF origin check and the cookie's
 * Secure flag. X-Forwarded-Host and X-Forwarded-Proto are what a proxy in front of us
 * says it received; without a trusted proxy (TRUST_PROXY=0) they are only what the client
 * claims, and are ignored: the Host header and our own scheme are used instead.
 *
 * With N trusted proxies, each may have appended its value: the entry written by the
 * outermost trusted proxy (N from the end, as for X-Forwarded-For in ./client-ip.ts) is
 * taken; a proxy that overwrites the header leaves one entry, which is taken.
 */
export function forwardedValue(header: string | null, trustedHops: number): string | null {
  if (!header || trustedHops < 1) return null;
  const list = header
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) return null;
  return list[Math.max(0, list.length - trustedHops)] as string;
}

const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

export function publicOrigin(
  get: (name: string) => string | null,
  ownProtocol: "http" | "https",
  fallbackHost: string,
  trustedHops: number,
): string {
  const forwardedHost = forwardedValue(get("x-forwarded-host"), trustedHops);
  const forwardedProto = forwardedValue(get("x-forwarded-proto"), trustedHops)?.toLowerCase();
  const host = [forwardedHost, get("host")].find((h): h is string => !!h && HOST.test(h)) ?? fallbackHost;
  const proto = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : ownProtocol;
  return `${proto}://${host}`;
}
