import type { Claims } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";

export const roles = ["account_user", "support_user", "global_admin"] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as verified by either auth mode and refreshed from the database. */
export interface Identity {
  userId: string;
  email: string;
  role: Role;
  customerId: string | null;
  customerStatus: string | null;
  sessionId: string | null;
  via: "cookie" | "bearer";
}

/** The claims a tenant unit of work runs under (see withTenant). */
export function tenantClaims(identity: Identity): Claims {
  if (!identity.customerId) {
    throw new AppError("forbidden", "This account has no workspace of its own.");
  }
  return {
    sub: identity.userId,
    email: identity.email,
    role: "authenticated",
    app_role: identity.role,
    customer_id: identity.customerId,
  };
}
