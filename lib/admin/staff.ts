import "server-only";
import type { Identity, Role } from "@/lib/auth/identity";
import { forbidden } from "@/lib/http/errors";

/** Platform staff: support_user reads every tenant (audited), global_admin also changes things. */
export const STAFF_ROLES = ["global_admin", "support_user"] as const satisfies readonly Role[];
export const ADMIN_ROLES = ["global_admin"] as const satisfies readonly Role[];

export const isStaff = (identity: Pick<Identity, "role">) => (STAFF_ROLES as readonly Role[]).includes(identity.role);

export const canChangeTenants = (identity: Pick<Identity, "role">) => identity.role === "global_admin";

/**
 * Defence in depth under the route wrapper's role check: a lib function that changes
 * platform data refuses any caller but a global_admin, whoever calls it.
 */
export function assertGlobalAdmin(identity: Pick<Identity, "role">): void {
  if (!canChangeTenants(identity)) throw forbidden("Only a global admin can change this; support accounts read only.");
}

/** Defence in depth for the audited cross-tenant reads. */
export function assertStaff(identity: Pick<Identity, "role">): void {
  if (!isStaff(identity)) throw forbidden();
}
