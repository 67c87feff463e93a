import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertGlobalAdmin } from "./staff";

/** Optional body of the suspend and reactivate calls; the reason goes to the audit trail. */
export const tenantStatusChangeSchema = z
  .object({ reason: z.string().trim().max(500, "must be at most 500 characters").optional() })
  .strict();

export interface TenantStatusResult {
  id: string;
  name: string;
  status: "active" | "suspended" | "pending_deletion";
  /** False when the tenant already had that status (nothing written, nothing audited). */
  changed: boolean;
}

/**
 * Suspends a tenant (its users are refused by every tenant route, its webhook stops
 * accepting messages) or reactivates it. global_admin only, audited. A tenant scheduled
 * for deletion is left alone: that state belongs to the deletion flow.
 */
export async function setTenantStatus(
  staff: Identity,
  customerId: string,
  status: "active" | "suspended",
  input: z.output<typeof tenantStatusChangeSchema>,
  meta: RequestMeta,
): Promise<TenantStatusResult> {
  assertGlobalAdmin(staff);
  return asService("audited staff change of a tenant's status", async (tx) => {
    const [tenant] = await tx
      .select({ id: customers.id, name: customers.name, status: customers.status })
      .from(customers)
      .where(eq(customers.id, customerId))
      .for("update");
    if (!tenant) throw notFound("Tenant");
    if (tenant.status === "pending_deletion") {
      throw new AppError("conflict", "This tenant is scheduled for deletion; it cannot be suspended or reactivated.");
    }
    if (tenant.status === status) return { ...tenant, changed: false };
    await tx.update(customers).set({ status }).where(eq(customers.id, customerId));
    await recordAudit(tx, {
      action: status === "suspended" ? AUDIT_ACTIONS.tenantSuspended : AUDIT_ACTIONS.tenantReactivated,
      actor: staff,
      customerId,
      targetType: "customer",
      targetId: customerId,
      meta,
      metadata: { from: tenant.status, to: status, reason: input.reason || null },
    });
    return { id: tenant.id, name: tenant.name, status, changed: true };
  });
}
