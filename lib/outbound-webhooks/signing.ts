import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Outbound events are signed with HMAC-SHA256, Stripe-style:
 * `X-PdfAnswers-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<raw body>">`.
 *
 * The key is the tenant's signing secret, derived from its inbound webhook secret
 * (HMAC-SHA256 of a fixed label): nothing more to store or rotate, it changes when the
 * inbound secret is rotated, and the receiver holds a secret that cannot post messages
 * into our webhook (the derivation is one-way). It is shown to the tenant as
 * `webhook_signing_secret` in GET /customers/me.
 */
export const SIGNATURE_HEADER = "X-PdfAnswers-Signature";
const LABEL = "pdf-answers outbound webhook signing v1";

export function signingSecretFor(inboundSecret: string): string {
  return `whsign_${createHmac("sha256", inboundSecret).update(LABEL).digest("base64url")}`;
}

export function signatureHeader(signingSecret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", signingSecret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does (and the tests): recompute, compare in constant time, bound the age. */
export function verifySignature(
  signingSecret: string,
  body: string,
  header: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureHeader(signingSecret, body, t).split("v1=")[1] as string, "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
