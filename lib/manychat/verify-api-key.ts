import "server-only";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { recordExternalCall } from "@/lib/metrics";

export type KeyCheck =
  | { status: "valid"; pageName: string | null }
  | { status: "rejected"; message: string }
  | { status: "unreachable" };

/**
 * Asks ManyChat whether an API key works (GET /fb/page/getInfo). "unreachable" lets
 * the caller store the key anyway when ManyChat cannot be reached.
 */
export async function verifyManychatKey(apiKey: string): Promise<KeyCheck> {
  const url = new URL("/fb/page/getInfo", config().MANYCHAT_API_URL);
  let res: Response;
  const started = performance.now();
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${apiKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(5000),
    });
    recordExternalCall("manychat", "/fb/page/getInfo", res.status, started, res.ok);
  } catch (err) {
    recordExternalCall("manychat", "/fb/page/getInfo", "network", started, false);
    // The error object: fetch's own message ("fetch failed") says little; its cause says why.
    log.warn({ err }, "ManyChat unreachable while verifying a key");
    return { status: "unreachable" };
  }
  const body = (await res.json().catch(() => null)) as {
    status?: string;
    message?: string;
    data?: { name?: string };
  } | null;
  if (res.ok && body?.status === "success") return { status: "valid", pageName: body.data?.name ?? null };
  if (res.status >= 500 || res.status === 429) return { status: "unreachable" };
  return { status: "rejected", message: body?.message ?? `ManyChat answered HTTP ${res.status}` };
}
