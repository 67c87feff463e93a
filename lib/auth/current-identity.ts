import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { config } from "@/lib/config";
import { SESSION_COOKIE } from "@/lib/http/route";
import { resolveIdentity } from "./accounts";
import type { Identity } from "./identity";

/** The signed-in user of a server component, or null (resolved once per request). */
export const currentIdentity = cache(async (): Promise<Identity | null> => {
  if (config().authMode === "supabase") return resolveIdentity(null, "cookie");
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? resolveIdentity(token, "cookie") : null;
});

/** The signed-in user, or a redirect to the login page. */
export async function requireIdentity(next: string): Promise<Identity> {
  const identity = await currentIdentity();
  if (!identity) redirect(`/login?next=${encodeURIComponent(next)}`);
  return identity;
}
