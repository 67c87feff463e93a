import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";

/**
 * The tenant's usage in the current billing period (the calendar month, UTC), for
 * `GET /billing/usage` and the dashboard's Usage and billing page. A request is a question
 * the product answered, from WhatsApp or the API/playground: an inbound message that
 * ended `answered` or `unanswered` (the honest "not in the documents" reply costs the
 * same work). Storage is the sum of the tenant's documents. Read under row-level security.
 */
export interface Usage {
  period_start: string;
  period_end: string;
  requests_used: number;
  request_limit: number;
  storage_used_mb: number;
  /** The exact figure behind storage_used_mb (which is rounded to 2 decimals). */
  storage_used_bytes: number;
  storage_limit_mb: number;
  overage_requests: number;
  estimated_overage_cents: number;
  /** A plan without overage has used its requests: WhatsApp customers get the limit text. */
  limit_reached: boolean;
  /** Stripe's view of the subscription: "past_due" after a failed payment (grace period). */
  billing_status: "none" | "active" | "past_due" | "canceled";
  payment_failed_at: string | null;
  plan: {
    id: string;
    name: string;
    price_cents: number;
    overage_allowed: boolean;
    overage_price_cents: number;
  };
}

export async function getUsage(identity: Identity): Promise<Usage> {
  const [row] = await withTenant(tenantClaims(identity), (tx) =>
    rows<{
      period_start: string | Date;
      period_end: string | Date;
      requests_used: number;
      overage_requests: number;
      billing_status: Usage["billing_status"];
      payment_failed_at: string | Date | null;
      storage_bytes: number | string;
      plan_id: string;
      plan_name: string;
      request_limit: number;
      storage_limit_mb: number;
      price_cents: number;
      overage_allowed: boolean;
      overage_price_cents: number;
    }>(
      tx,
      sql`with period as (select private.billing_period_start() as start_at)
          select p.start_at as period_start,
                 p.start_at + interval '1 month' as period_end,
                 coalesce(u.requests, 0) as requests_used,
                 coalesce(u.overage_requests, 0) as overage_requests,
                 (select coalesce(sum(d.size_bytes), 0) from documents d where d.storage_path is not null) as storage_bytes,
                 s.id as plan_id, s.name as plan_name, s.monthly_request_limit as request_limit,
                 s.storage_limit_mb, s.price_cents, s.overage_allowed, s.overage_price_cents,
                 c.billing_status, c.payment_failed_at
          from period p
          cross join customers c
          join subscriptions s on s.id = c.subscription_id
          left join usage_counters u on u.customer_id = c.id and u.period_start = p.start_at`,
    ),
  );
  if (!row) throw new Error("The tenant's customer row is not readable.");
  const used = Number(row.requests_used);
  const limit = Number(row.request_limit);
  // Counted when each request was claimed: a plan change within the period does not rewrite it.
  const overage = Number(row.overage_requests);
  return {
    period_start: new Date(row.period_start).toISOString(),
    period_end: new Date(row.period_end).toISOString(),
    requests_used: used,
    request_limit: limit,
    storage_used_mb: Math.round((Number(row.storage_bytes) / (1024 * 1024)) * 100) / 100,
    storage_used_bytes: Number(row.storage_bytes),
    storage_limit_mb: Number(row.storage_limit_mb),
    overage_requests: overage,
    estimated_overage_cents: row.overage_allowed ? overage * Number(row.overage_price_cents) : 0,
    limit_reached: !row.overage_allowed && used >= limit,
    billing_status: row.billing_status,
    payment_failed_at: row.payment_failed_at ? new Date(row.payment_failed_at).toISOString() : null,
    plan: {
      id: row.plan_id,
      name: row.plan_name,
      price_cents: Number(row.price_cents),
      overage_allowed: row.overage_allowed,
      overage_price_cents: Number(row.overage_price_cents),
    },
  };
}

/** The plans a tenant can choose from, cheapest first (read by every signed-in tenant). */
export async function listPlans(identity: Identity) {
  return withTenant(tenantClaims(identity), (tx) =>
    rows<{
      id: string;
      name: string;
      monthly_request_limit: number;
      storage_limit_mb: number;
      price_cents: number;
      overage_allowed: boolean;
      overage_price_cents: number;
    }>(
      tx,
      sql`select id, name, monthly_request_limit, storage_limit_mb, price_cents, overage_allowed, overage_price_cents
          from subscriptions order by price_cents, name`,
    ),
  );
}
