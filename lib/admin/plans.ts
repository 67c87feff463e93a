import "server-only";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService, type Tx } from "@/lib/db/client";
import { subscriptions } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertGlobalAdmin, assertStaff } from "./staff";

/** Postgres `integer`: anything larger could not be stored. */
const MAX_INT = 2_147_483_647;
const count = () => z.number().int().min(0).max(MAX_INT);
/** A Stripe Price id (price_…), or null to unlink; omitted keeps the current value. */
const stripePriceId = () =>
  z
    .string()
    .trim()
    .regex(/^price_[A-Za-z0-9_]{1,200}$/, "must be a Stripe Price id (price_…)")
    .nullable()
    .optional();

/** POST /admin/subscriptions: no id creates a plan, an id updates that plan. */
export const planInputSchema = z
  .object({
    id: z.uuid("must be the id of a plan").optional(),
    name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
    monthly_request_limit: count(),
    storage_limit_mb: count(),
    price_cents: count(),
    overage_price_cents: count().optional(),
    overage_allowed: z.boolean().optional(),
    /** The plan's licensed monthly Stripe Price; tenants check out with it. */
    stripe_price_id: stripePriceId(),
    /** The metered Stripe Price that overage requests are billed with (a Billing Meter). */
    stripe_overage_price_id: stripePriceId(),
  })
  .strict();
export type PlanInput = z.output<typeof planInputSchema>;

export interface PlanView {
  id: string;
  name: string;
  monthly_request_limit: number;
  storage_limit_mb: number;
  price_cents: number;
  overage_price_cents: number;
  overage_allowed: boolean;
  stripe_price_id: string | null;
  stripe_overage_price_id: string | null;
  is_default: boolean;
  /** Tenants on this plan now: a change to its limits applies to all of them at once. */
  tenant_count: number;
  created_at: string;
  updated_at: string;
}

type PlanRow = typeof subscriptions.$inferSelect;

function planView(p: PlanRow, tenantCount: number): PlanView {
  return {
    id: p.id,
    name: p.name,
    monthly_request_limit: p.monthlyRequestLimit,
    storage_limit_mb: p.storageLimitMb,
    price_cents: p.priceCents,
    overage_price_cents: p.overagePriceCents,
    overage_allowed: p.overageAllowed,
    stripe_price_id: p.stripePriceId,
    stripe_overage_price_id: p.stripeOveragePriceId,
    is_default: p.isDefault,
    tenant_count: tenantCount,
    created_at: new Date(p.createdAt).toISOString(),
    updated_at: new Date(p.updatedAt).toISOString(),
  };
}

// Plain names: drizzle writes column references unqualified here, and an unqualified
// "id" inside the subquery would be the tenant's, not the plan's.
const tenantCount = sql<number>`(select count(*)::int from customers c where c.subscription_id = subscriptions.id)`;

/** Every plan, cheapest first, with how many tenants are on it. An audited staff read. */
export async function listPlans(staff: Identity, meta: RequestMeta): Promise<{ items: PlanView[]; next_cursor: null }> {
  assertStaff(staff);
  return asService("audited staff read of the plans and their tenant counts", async (tx) => {
    const found = await tx
      .select({ p: subscriptions, n: tenantCount })
      .from(subscriptions)
      .orderBy(asc(subscriptions.priceCents), asc(subscriptions.name));
    await recordAudit(tx, {
      action: AUDIT_ACTIONS.plansListed,
      actor: staff,
      customerId: null,
      meta,
      metadata: { count: found.length },
    });
    return { items: found.map((r) => planView(r.p, Number(r.n))), next_cursor: null };
  });
}

const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === "23505" || e.cause?.code === "23505";
};
const nameTaken = (name: string) => new AppError("conflict", `A plan named “${name}” already exists.`);

/**
 * Creates a plan, or updates one (its new limits apply at once to every tenant on it).
 * global_admin only; audited with the values before and after, in the same transaction.
 */
export async function savePlan(
  staff: Identity,
  input: PlanInput,
  meta: RequestMeta,
): Promise<{ plan: PlanView; created: boolean }> {
  assertGlobalAdmin(staff);
  try {
    return await asService("audited staff change of a plan", (tx) =>
      input.id ? updatePlan(tx, staff, input.id, input, meta) : createPlan(tx, staff, input, meta),
    );
  } catch (err) {
    // Two admins saving the same new name at once: the unique index decides.
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/** Names differing only in case would confuse tenants choosing a plan. */
async function assertNameFree(tx: Tx, name: string, exceptId: string | null) {
  const [clash] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(sql`lower(${subscriptions.name}) = lower(${name})`, exceptId ? ne(subscriptions.id, exceptId) : undefined),
    )
    .limit(1);
  if (clash) throw nameTaken(name);
}

async function createPlan(tx: Tx, staff: Identity, input: PlanInput, meta: RequestMeta) {
  await assertNameFree(tx, input.name, null);
  const [row] = await tx
    .insert(subscriptions)
    .values({
      name: input.name,
      monthlyRequestLimit: input.monthly_request_limit,
      storageLimitMb: input.storage_limit_mb,
      priceCents: input.price_cents,
      overagePriceCents: input.overage_price_cents ?? 0,
      overageAllowed: input.overage_allowed ?? false,
      stripePriceId: input.stripe_price_id ?? null,
      stripeOveragePriceId: input.stripe_overage_price_id ?? null,
    })
    .returning();
  const plan = planView(row as PlanRow, 0);
  await recordAudit(tx, {
    action: AUDIT_ACTIONS.planCreated,
    actor: staff,
    customerId: null,
    targetType: "plan",
    targetId: plan.id,
    meta,
    metadata: { after: editable(plan) },
  });
  return { plan, created: true };
}

async function updatePlan(tx: Tx, staff: Identity, id: string, input: PlanInput, meta: RequestMeta) {
  const [before] = await tx.select().from(subscriptions).where(eq(subscriptions.id, id)).for("update");
  if (!before) throw notFound("Plan");
  const [counted] = await tx.select({ n: tenantCount }).from(subscriptions).where(eq(subscriptions.id, id));
  const tenants = Number(counted?.n ?? 0);
  await assertNameFree(tx, input.name, id);
  const [row] = await tx
    .update(subscriptions)
    .set({
      name: input.name,
      monthlyRequestLimit: input.monthly_request_limit,
      storageLimitMb: input.storage_limit_mb,
      priceCents: input.price_cents,
      // Omitted optional fields keep their value: a client that only knows API.md's fields loses nothing.
      ...(input.overage_price_cents !== undefined ? { overagePriceCents: input.overage_price_cents } : {}),
      ...(input.overage_allowed !== undefined ? { overageAllowed: input.overage_allowed } : {}),
      ...(input.stripe_price_id !== undefined ? { stripePriceId: input.stripe_price_id } : {}),
      ...(input.stripe_overage_price_id !== undefined ? { stripeOveragePriceId: input.stripe_overage_price_id } : {}),
    })
    .where(eq(subscriptions.id, id))
    .returning();
  const previous = editable(planView(before, tenants));
  const plan = planView(row as PlanRow, tenants);
  const next = editable(plan);
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== previous[k]);
  await recordAudit(tx, {
    action: AUDIT_ACTIONS.planUpdated,
    actor: staff,
    customerId: null,
    targetType: "plan",
    targetId: plan.id,
    meta,
    metadata: {
      changed,
      before: Object.fromEntries(changed.map((k) => [k, previous[k]])),
      after: Object.fromEntries(changed.map((k) => [k, next[k]])),
      tenant_count: plan.tenant_count,
    },
  });
  return { plan, created: false };
}

const editable = (p: PlanView) => ({
  name: p.name,
  monthly_request_limit: p.monthly_request_limit,
  storage_limit_mb: p.storage_limit_mb,
  price_cents: p.price_cents,
  overage_price_cents: p.overage_price_cents,
  overage_allowed: p.overage_allowed,
  stripe_price_id: p.stripe_price_id,
  stripe_overage_price_id: p.stripe_overage_price_id,
});
