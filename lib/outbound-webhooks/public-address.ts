import "server-only";
import dns from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";

/**
 * The tenant's outbound webhook_url must reach the public internet, never us or our
 * neighbours (SSRF): its host must resolve only to public addresses. Checked when the URL
 * is saved, and again at every delivery on the very address the connection uses (the
 * `lookup` given to node:http), so a DNS answer that changes after the save (rebinding)
 * is caught too. OUTBOUND_WEBHOOK_ALLOW_PRIVATE=1 lifts the address check (tests only).
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["64:ff9b:1::", 48], // local-use NAT64
  ["2001::", 23], // IETF protocol assignments (Teredo, …)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4 (embeds any IPv4 address, 127.0.0.1 included)
  ["3fff::", 20], // documentation
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/**
 * The eight 16-bit groups of an IPv6 address, however it is written: `::` anywhere,
 * leading zeros, upper case, a dotted IPv4 tail (`::ffff:127.0.0.1`), a zone (`%eth0`).
 */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.replace(/%.*$/, "").toLowerCase();
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (isIP(dotted[2] as string) !== 4) return null;
    const [a, b, c, d] = (dotted[2] as string).split(".").map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff) ? null : groups;
}

const ipv4Of = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
const allZero = (groups: number[]) => groups.every((g) => g === 0);

/**
 * True when the address is a public unicast address (not private, loopback, link-local,
 * reserved…). IPv6 is judged by an allow-list: only global unicast (2000::/3) minus its
 * special blocks is public, so loopback, unique-local (fc00::/7), link-local (fe80::/10),
 * multicast and every reserved form are refused without being listed. An IPv4 address
 * carried inside IPv6 (IPv4-mapped ::ffff:0:0/96 or NAT64 64:ff9b::/96, which reach it)
 * is judged as that IPv4 address; the deprecated IPv4-compatible form (::/96, what
 * `[::127.0.0.1]` is) and SIIT's ::ffff:0:0:0/96 are never public.
 */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !blocked.check(ip, "ipv4");
  if (family !== 6) return false;
  const g = ipv6Groups(ip);
  if (!g) return false;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  if (allZero([g0, g1, g2, g3, g4]) && g5 === 0xffff) return isPublicAddress(ipv4Of(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && allZero([g2, g3, g4, g5])) return isPublicAddress(ipv4Of(g6, g7));
  if ((g0 & 0xe000) !== 0x2000) return false;
  const canonical = g.map((n) => n.toString(16)).join(":");
  return !blocked.check(canonical, "ipv6");
}

const allowPrivate = () => config().OUTBOUND_WEBHOOK_ALLOW_PRIVATE;

const refused = (message: string) => new AppError("validation_failed", message, [{ path: "webhook_url", message }]);

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/** Checks a URL before it is saved: http(s), no credentials, every address it resolves to public. */
export async function assertPublicWebhookUrl(raw: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refused("must be an http:// or https:// URL");
  if (url.username || url.password) throw refused("must not contain a user name or password");
  if (allowPrivate()) return;
  const host = hostOf(url);
  // A host that does not resolve (yet, or not from here) is accepted: every delivery
  // resolves it again and refuses a non-public answer, so nothing is reached through it.
  const addresses = isIP(host)
    ? [host]
    : await dns.promises
        .lookup(host, { all: true, verbatim: true })
        .then((found) => found.map((a) => a.address))
        .catch(() => [] as string[]);
  if (addresses.some((a) => !isPublicAddress(a))) {
    throw refused("must point to a public internet address, not a private, loopback or link-local one");
  }
}

export class PrivateAddressError extends Error {
  override name = "PrivateAddressError";
}

/**
 * A `lookup` for node:http that resolves like the default one but fails when any address
 * is not public: the connection can only be made to an address that was checked.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as dns.LookupAddress[];
    const bad = allowPrivate() ? undefined : list.find((a) => !isPublicAddress(a.address));
    if (bad || list.length === 0) {
      return callback(
        new PrivateAddressError(`${hostname} resolves to a non-public address (${bad?.address ?? "none"})`),
        "",
        0,
      );
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0] as dns.LookupAddress;
    callback(null, first.address, first.family);
  });
};

/** A literal IP host is connected to without a lookup: it is checked here instead. */
export function assertPublicLiteralHost(url: URL): void {
  const host = hostOf(url);
  if (isIP(host) && !allowPrivate() && !isPublicAddress(host)) {
    throw new PrivateAddressError(`${host} is not a public address`);
  }
}
