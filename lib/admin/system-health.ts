import "server-only";
import { sql } from "drizzle-orm";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService, rows } from "@/lib/db/client";
import { leaseSeconds } from "@/lib/jobs/job-queue";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertStaff } from "./staff";

export const RECENT_FAILURES = 20;
const PREVIEW_CHARS = 200;

export interface SystemHealth {
  generated_at: string;
  queue: {
    /** Unfinished jobs by kind: waiting (queued; `due` of them may run now, `retrying` failed before) and running. */
    by_kind: { kind: string; queued: number; due: number; retrying: number; running: number }[];
    totals: { queued: number; due: number; retrying: number; running: number };
    /** Seconds the oldest due queued job has waited past its run time; null when none is due. */
    oldest_due_age_seconds: number | null;
    /** Running jobs whose worker stopped renewing the lease; the sweeper will take them over. */
    expired_leases: number;
    failed_last_24h: number;
  };
  failed_jobs: {
    id: string;
    kind: string;
    customer: { id: string; name: string } | null;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    failed_at: string;
  }[];
  failed_messages: {
    id: string;
    customer: { id: string; name: string };
    subscriber_id: string;
    direction: "inbound" | "outbound";
    channel: string;
    content: string;
    error: string | null;
    created_at: string;
  }[];
}

const iso = (v: string | Date) => new Date(v).toISOString();

/** The job queue and the latest failures across all tenants. An audited staff read. */
export async function getSystemHealth(staff: Identity, meta: RequestMeta): Promise<SystemHealth> {
  assertStaff(staff);
  return asService("audited staff read of queue health and failures", async (tx) => {
    // Unfinished jobs only: the jobs_due partial index covers exactly these rows.
    const depth = await rows<{ kind: string; queued: number; due: number; retrying: number; running: number }>(
      tx,
      sql`select kind,
            count(*) filter (where status = 'queued')::int as queued,
            count(*) filter (where status = 'queued' and run_at <= now())::int as due,
            count(*) filter (where status = 'queued' and attempts > 0)::int as retrying,
            count(*) filter (where status = 'running')::int as running
          from jobs where status in ('queued', 'running')
          group by kind order by kind`,
    );
    const [age] = await rows<{
      oldest_due_age_seconds: number | null;
      expired_leases: number;
      failed_last_24h: number;
    }>(
      tx,
      sql`select
            (select extract(epoch from now() - min(run_at))::float8 from jobs
               where status = 'queued' and run_at <= now()) as oldest_due_age_seconds,
            (select count(*)::int from jobs where status = 'running'
               and locked_at < now() - make_interval(secs => ${leaseSeconds()})) as expired_leases,
            (select count(*)::int from jobs where status = 'failed'
               and updated_at > now() - interval '24 hours') as failed_last_24h`,
    );
    const failedJobs = await rows<{
      id: string;
      kind: string;
      customer_id: string | null;
      customer_name: string | null;
      attempts: number;
      max_attempts: number;
      last_error: string | null;
      updated_at: string | Date;
    }>(
      tx,
      sql`select j.id, j.kind, j.customer_id, c.name as customer_name, j.attempts, j.max_attempts,
            left(j.last_error, 1000) as last_error, j.updated_at
          from jobs j left join customers c on c.id = j.customer_id
          where j.status = 'failed'
          order by j.updated_at desc, j.id desc limit ${RECENT_FAILURES}`,
    );
    const failedMessages = await rows<{
      id: string;
      customer_id: string;
      customer_name: string;
      subscriber_id: string;
      direction: "inbound" | "outbound";
      channel: string;
      content: string;
      error: string | null;
      created_at: string | Date;
    }>(
      tx,
      sql`select m.id, m.customer_id, c.name as customer_name, m.subscriber_id, m.direction, m.channel,
            left(m.content, ${PREVIEW_CHARS}) as content, left(m.error, 1000) as error, m.created_at
          from messages m join customers c on c.id = m.customer_id
          where m.status = 'failed'
          order by m.created_at desc, m.id desc limit ${RECENT_FAILURES}`,
    );
    await recordAudit(tx, { action: AUDIT_ACTIONS.healthViewed, actor: staff, customerId: null, meta });
    const byKind = depth.map((d) => ({
      kind: d.kind,
      queued: d.queued,
      due: d.due,
      retrying: d.retrying,
      running: d.running,
    }));
    const sum = (k: "queued" | "due" | "retrying" | "running") => byKind.reduce((n, d) => n + d[k], 0);
    return {
      generated_at: new Date().toISOString(),
      queue: {
        by_kind: byKind,
        totals: { queued: sum("queued"), due: sum("due"), retrying: sum("retrying"), running: sum("running") },
        oldest_due_age_seconds:
          age?.oldest_due_age_seconds == null ? null : Math.max(0, Math.round(Number(age.oldest_due_age_seconds))),
        expired_leases: age?.expired_leases ?? 0,
        failed_last_24h: age?.failed_last_24h ?? 0,
      },
      failed_jobs: failedJobs.map((j) => ({
        id: j.id,
        kind: j.kind,
        customer: j.customer_id ? { id: j.customer_id, name: j.customer_name ?? "" } : null,
        attempts: j.attempts,
        max_attempts: j.max_attempts,
        last_error: j.last_error,
        failed_at: iso(j.updated_at),
      })),
      failed_messages: failedMessages.map((m) => ({
        id: m.id,
        customer: { id: m.customer_id, name: m.customer_name },
        subscriber_id: m.subscriber_id,
        direction: m.direction,
        channel: m.channel,
        content: m.content,
        error: m.error,
        created_at: iso(m.created_at),
      })),
    };
  });
}
