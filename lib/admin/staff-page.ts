import "server-only";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import type { RequestMeta } from "@/lib/audit/record-audit";
import { requireIdentity } from "@/lib/auth/current-identity";
import type { Identity } from "@/lib/auth/identity";
import { config } from "@/lib/config";
import { clientIpFrom } from "@/lib/http/client-ip";
import { pickRequestId } from "@/lib/http/route";
import { canChangeTenants, isStaff } from "./staff";

export interface StaffPage {
  identity: Identity;
  /** Who asked, from where: what the audit entry of each staff read records. */
  meta: RequestMeta;
  /** global_admin: the page shows its controls; support_user: read only. */
  canEdit: boolean;
}

/**
 * The signed-in staff member of an admin page, or the login redirect; any other role
 * gets the not-found page (the console's existence is not advertised).
 */
export async function requireStaffPage(next: string): Promise<StaffPage> {
  const identity = await requireIdentity(next);
  if (!isStaff(identity)) notFound();
  const h = await headers();
  return {
    identity,
    // The same address and request id rules as the API's (lib/http/route.ts).
    meta: {
      ip: clientIpFrom(h.get("x-forwarded-for"), config().TRUST_PROXY),
      userAgent: h.get("user-agent"),
      requestId: pickRequestId(h.get("x-request-id")),
    },
    canEdit: canChangeTenants(identity),
  };
}
