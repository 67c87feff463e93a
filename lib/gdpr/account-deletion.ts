import "server-only";
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { tenantClaims } from "@/lib/auth/identity";
import { deleteSupabaseUser } from "@/lib/auth/supabase-auth";
import { isStripeMissing, stripeClient } from "@/lib/billing/stripe/client";
import { config } from "@/lib/config";
import { asService, rows } from "@/lib/db/client";
import { customers, jobs, sessions, users } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { enqueueJob, type JobRow } from "@/lib/jobs/job-queue";
import type { JobHandler } from "@/lib/jobs/run-jobs";
import { log } from "@/lib/log";
import { fileStorage } from "@/lib/storage";

/**
 * GDPR deletion of a workspace, in two steps:
 * 1. `DELETE /customers/me` (requestDeletion): the workspace becomes unreachable at once
 *    (status `pending_deletion`: its users are refused at login and by every tenant
 *    endpoint, its sessions are revoked, its webhook answers 403 and stores nothing) and a
 *    purge job is queued for the end of the grace period (DELETION_GRACE_SECONDS, 30 days).
 * 2. Until then a global admin may restore it (restoreCustomer). Then the purge job
 *    (purgeCustomerJob) deletes its stored files and the customers row; every table's rows
 *    of the tenant go with it by cascade (migration 20261128001000), its users' Supabase
 *    Auth accounts too. One audit entry remains, naming only a hash of the tenant's id.
 */
export const PURGE_CUSTOMER = "purge_customer";

export interface DeletionScheduled {
  status: "pending_deletion";
  deletion_requested_at: string;
  purge_after: string;
}

export async function requestDeletion(identity: Identity, meta: RequestMeta): Promise<DeletionScheduled> {
  const claims = tenantClaims(identity);
  const graceMs = config().DELETION_GRACE_SECONDS * 1000;
  const requestedAt = new Date();
  const purgeAfter = new Date(requestedAt.getTime() + graceMs);
  // The tenant may not change its own status (column grants), so this runs as service,
  // for the caller's own customer id only, and is audited in the same transaction.
  await asService("account deletion requested by the tenant", async (tx) => {
    const [row] = await tx
      .update(customers)
      .set({ status: "pending_deletion", deletionRequestedAt: requestedAt.toISOString() })
      .where(and(eq(customers.id, claims.customer_id), eq(customers.status, "active")))
      .returning({ id: customers.id });
    if (!row) throw new AppError("conflict", "This workspace is not active.");
    await tx
      .update(sessions)
      .set({ revokedAt: requestedAt.toISOString() })
      .where(
        sql`${sessions.revokedAt} is null and ${sessions.userId} in (select id from users where customer_id = ${claims.customer_id})`,
      );
    // Work the tenant had queued will not run for a deleted workspace.
    await tx.delete(jobs).where(and(eq(jobs.customerId, claims.customer_id), eq(jobs.status, "queued")));
    await enqueueJob(tx, {
      customerId: claims.customer_id,
      kind: PURGE_CUSTOMER,
      payload: { customer_id: claims.customer_id },
      runAt: purgeAfter,
      maxAttempts: 10,
    });
    await recordAudit(tx, {
      action: "customer.deletion_requested",
      actor: identity,
      customerId: claims.customer_id,
      targetType: "customer",
      targetId: claims.customer_id,
      meta,
      metadata: { purge_after: purgeAfter.toISOString() },
    });
  });
  return {
    status: "pending_deletion",
    deletion_requested_at: requestedAt.toISOString(),
    purge_after: purgeAfter.toISOString(),
  };
}

/** A global admin brings a workspace scheduled for deletion back, within the grace period. */
export async function restoreCustomer(
  staff: Identity,
  customerId: string,
  meta: RequestMeta,
): Promise<{ id: string; name: string; status: "active" }> {
  if (staff.role !== "global_admin") throw new AppError("forbidden", "Only a global admin can restore a workspace.");
  return asService("audited admin restore of a deleted workspace", async (tx) => {
    const [current] = await tx
      .select({ id: customers.id, name: customers.name, status: customers.status })
      .from(customers)
      .where(eq(customers.id, customerId));
    if (!current) throw notFound("Customer");
    if (current.status !== "pending_deletion") {
      throw new AppError("conflict", "This workspace is not scheduled for deletion.");
    }
    await tx.update(customers).set({ status: "active", deletionRequestedAt: null }).where(eq(customers.id, customerId));
    await tx.delete(jobs).where(and(eq(jobs.customerId, customerId), eq(jobs.kind, PURGE_CUSTOMER)));
    await recordAudit(tx, {
      action: "customer.restored",
      actor: staff,
      customerId,
      targetType: "customer",
      targetId: customerId,
      meta,
    });
    return { id: current.id, name: current.name, status: "active" as const };
  });
}

export const hashedCustomerId = (id: string) => `sha256:${createHash("sha256").update(id).digest("hex")}`;

/**
 * Purges one workspace whose grace period is over: its Stripe subscription (cancelled), its
 * stored files, its users' Supabase Auth accounts, then the customers row (every tenant table follows by cascade). Does
 * nothing if the workspace was restored or is not due yet.
 */
export async function purgeCustomer(customerId: string): Promise<boolean> {
  const grace = config().DELETION_GRACE_SECONDS;
  const [due] = await asService("purge: is the deleted workspace due", (tx) =>
    rows<{
      id: string;
      user_ids: string[] | null;
      emails: string[] | null;
      documents: number;
      stripe_subscription_id: string | null;
    }>(
      tx,
      sql`select c.id, c.stripe_subscription_id, array(select u.id::text from users u where u.customer_id = c.id) as user_ids,
                 array(select lower(u.email) from users u where u.customer_id = c.id) as emails,
                 (select count(*) from documents d where d.customer_id = c.id)::int as documents
          from customers c
          where c.id = ${customerId} and c.status = 'pending_deletion'
            and c.deletion_requested_at <= now() - make_interval(secs => ${grace})`,
    ),
  );
  if (!due) return false;
  // Stripe stops charging first: if this fails, the job is retried with the id still there.
  const stripe = stripeClient();
  if (stripe && due.stripe_subscription_id) {
    try {
      await stripe.subscriptions.cancel(due.stripe_subscription_id);
    } catch (err) {
      if (!isStripeMissing(err)) throw err;
    }
  }
  // Files first: if this fails, the job is retried with the rows still there to find them.
  await fileStorage().deletePrefix(customerId);
  if (config().authMode === "supabase") {
    for (const id of due.user_ids ?? []) await deleteSupabaseUser(id);
  }
  await asService("purge of a deleted workspace after its grace period", async (tx) => {
    // Login rate-limit counters are keyed by email: they go too.
    for (const email of due.emails ?? []) {
      await tx.execute(sql`delete from rate_limits where key = ${`login:email:${email}`}`);
    }
    await tx.delete(users).where(eq(users.customerId, customerId));
    await tx.delete(customers).where(eq(customers.id, customerId));
    await recordAudit(tx, {
      action: "customer.purged",
      actor: null,
      customerId: null,
      targetType: "customer",
      targetId: hashedCustomerId(customerId),
      meta: null,
      metadata: { documents: Number(due.documents), users: due.user_ids?.length ?? 0 },
    });
  });
  log.info({ customer: hashedCustomerId(customerId) }, "deleted workspace purged");
  return true;
}

export const purgeCustomerJob: JobHandler = {
  async run(job: JobRow) {
    const customerId = String((job.payload as { customer_id?: string }).customer_id ?? job.customerId);
    await purgeCustomer(customerId);
  },
};
