import "server-only";
import { headers } from "next/headers";
import { config } from "@/lib/config";
import { publicOrigin } from "./forwarded";

/**
 * The public origin of the current page request. X-Forwarded-Host/-Proto count only
 * behind TRUST_PROXY proxies (./forwarded.ts): otherwise a visitor's own header would be
 * echoed into the links we show (the webhook URL).
 */
export async function pageOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("host") ?? "localhost:3000";
  // Without a trusted proxy's X-Forwarded-Proto: plain HTTP on this machine, HTTPS elsewhere.
  const local = host.startsWith("localhost") || host.startsWith("127.") || host.startsWith("[::1]");
  const ownProtocol = local ? "http" : "https";
  return publicOrigin((name) => h.get(name), ownProtocol, "localhost:3000", config().TRUST_PROXY);
}
