import "server-only";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertGlobalAdmin } from "./staff";

/** PATCH /admin/customers/{id}: staff put a tenant on a plan (a deal, a refund, support). */
export const tenantPlanChangeSchema = z
  .object({
    subscription_id: z.uuid("must be the id of a plan"),
    reason: z.string().trim().max(500, "must be at most 500 characters").optional(),
  })
  .strict();

export interface TenantPlanResult {
  id: string;
  name: string;
  plan: { id: string; name: string };
  changed: boolean;
}

/**
 * Moves a tenant onto a plan; its limits apply at once (requests already counted this
 * period stay counted). global_admin only, audited. A tenant billed through Stripe gets
 * its plan back from Stripe's next subscription event: change those in Stripe.
 */
export async function changeTenantPlan(
  staff: Identity,
  customerId: string,
  input: z.output<typeof tenantPlanChangeSchema>,
  meta: RequestMeta,
): Promise<TenantPlanResult> {
  assertGlobalAdmin(staff);
  return asService("audited staff change of a tenant's plan", async (tx) => {
    const [tenant] = await tx
      .select({ id: customers.id, name: customers.name, planId: customers.subscriptionId, status: customers.status })
      .from(customers)
      .where(eq(customers.id, customerId))
      .for("update");
    if (!tenant) throw notFound("Tenant");
    if (tenant.status === "pending_deletion") {
      throw new AppError("conflict", "This tenant is scheduled for deletion; its plan cannot be changed.");
    }
    const [plan] = await tx
      .select({ id: subscriptions.id, name: subscriptions.name })
      .from(subscriptions)
      .where(eq(subscriptions.id, input.subscription_id));
    if (!plan) {
      throw new AppError("validation_failed", "No plan has this id.", [
        { path: "subscription_id", message: "must be the id of a plan" },
      ]);
    }
    if (tenant.planId === plan.id) return { id: tenant.id, name: tenant.name, plan, changed: false };
    await tx.update(customers).set({ subscriptionId: plan.id }).where(eq(customers.id, customerId));
    await recordAudit(tx, {
      action: AUDIT_ACTIONS.tenantPlanChanged,
      actor: staff,
      customerId,
      targetType: "customer",
      targetId: customerId,
      meta,
      metadata: { from: tenant.planId, to: plan.id, plan: plan.name, reason: input.reason || null },
    });
    return { id: tenant.id, name: tenant.name, plan, changed: true };
  });
}

/** The plans staff can put a tenant on, cheapest first (for the support view's form). */
export async function planChoices(staff: Identity): Promise<{ id: string; name: string }[]> {
  assertGlobalAdmin(staff);
  return asService("plan names for the staff plan form", (tx) =>
    tx
      .select({ id: subscriptions.id, name: subscriptions.name })
      .from(subscriptions)
      .orderBy(asc(subscriptions.priceCents), asc(subscriptions.name)),
  );
}
