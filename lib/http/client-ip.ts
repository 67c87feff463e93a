import { isIP } from "node:net";

/**
 * The client's address from X-Forwarded-For, trusting exactly `trustedHops` proxies.
 *
 * Every hop appends the address it received the request from, so the list reads
 * `client, proxy1, …, peer`, where the last entry is whoever connected to us: server.ts
 * appends the socket's address itself (and `next start` sets the header to it when it is
 * absent; on Vercel the platform sets it to the client). Only the last `trustedHops + 1`
 * entries were written by someone we trust; anything before them is what the client
 * claimed, and is ignored. With 0 trusted hops the client is the peer.
 */
export function clientIpFrom(forwardedFor: string | null, trustedHops: number): string | null {
  if (!forwardedFor) return null;
  const chain = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (chain.length === 0) return null;
  const candidate = chain[Math.max(0, chain.length - 1 - trustedHops)] as string;
  return normalizeIp(candidate);
}

/** An address as stored in the audit trail and rate-limit keys; anything that is not an IP is dropped. */
export function normalizeIp(value: string): string | null {
  let ip = value.trim();
  // "[::1]:1234" and "1.2.3.4:5678" as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1] as string;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(":"));
  if (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) ? ip.toLowerCase() : null;
}
