import "server-only";
import { sql } from "drizzle-orm";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity, Role } from "@/lib/auth/identity";
import { type Invoice, readInvoices } from "@/lib/billing/invoices";
import { asService, rows } from "@/lib/db/client";
import { notFound } from "@/lib/http/errors";
import { readSettings } from "@/lib/tenants/settings";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertStaff } from "./staff";

export const SUPPORT_VIEW_DOCUMENTS = 100;
export const SUPPORT_VIEW_MESSAGES = 30;
export const SUPPORT_VIEW_INVOICES = 12;
const MESSAGE_PREVIEW_CHARS = 500;

type Status = "active" | "suspended" | "pending_deletion";
type DocumentStatus = "pending" | "processing" | "processed" | "failed";
type MessageStatus = "pending" | "answered" | "unanswered" | "failed" | "sent" | "limited";

/** What support sees of one tenant: enough to help, never a secret (no key, no webhook secret). */
export interface TenantSupportView {
  id: string;
  name: string;
  status: Status;
  created_at: string;
  deletion_requested_at: string | null;
  plan: {
    id: string;
    name: string;
    monthly_request_limit: number;
    storage_limit_mb: number;
    price_cents: number;
    overage_price_cents: number;
    overage_allowed: boolean;
  };
  usage: {
    requests_this_month: number;
    storage_used_mb: number;
    document_count: number;
    message_count: number;
    subscriber_count: number;
  };
  /** The metered billing period (usage_counters) and the payment state. */
  billing: {
    period_start: string;
    period_end: string;
    requests_used: number;
    request_limit: number;
    overage_requests: number;
    billing_status: "none" | "active" | "past_due" | "canceled";
    payment_failed_at: string | null;
  };
  /** The newest SUPPORT_VIEW_INVOICES billing records, newest period first. */
  invoices: Invoice[];
  manychat: { configured: boolean; key_last4: string | null; page_name: string | null };
  webhook_url: string | null;
  settings: { language: string; memory_turns: number; burst_window_seconds: number; fallback_flow: boolean };
  users: { id: string; email: string; role: Role; last_login_at: string | null; created_at: string }[];
  jobs: { queued: number; running: number; failed: number };
  /** The newest SUPPORT_VIEW_DOCUMENTS. */
  documents: {
    id: string;
    filename: string;
    status: DocumentStatus;
    page_count: number | null;
    chunk_count: number;
    size_bytes: number;
    error: string | null;
    upload_date: string;
  }[];
  /** The newest SUPPORT_VIEW_MESSAGES, newest first, their text cut at 500 characters. */
  recent_messages: {
    id: string;
    subscriber_id: string;
    subscriber_name: string | null;
    direction: "inbound" | "outbound";
    channel: "whatsapp" | "api" | "playground";
    status: MessageStatus;
    content: string;
    error: string | null;
    created_at: string;
  }[];
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/**
 * The read-only support view of one tenant. Runs as service_role (staff have no tenant
 * claims) and records who looked, in the same transaction: no view without its entry.
 */
export async function getTenantSupportView(
  staff: Identity,
  customerId: string,
  meta: RequestMeta,
): Promise<TenantSupportView> {
  assertStaff(staff);
  return asService("audited support view of one tenant", async (tx) => {
    const [c] = await rows<{
      id: string;
      name: string;
      status: Status;
      created_at: string | Date;
      deletion_requested_at: string | Date | null;
      settings: unknown;
      manychat_configured: boolean;
      manychat_key_last4: string | null;
      manychat_page_name: string | null;
      webhook_url: string | null;
      plan_id: string;
      plan_name: string;
      monthly_request_limit: number;
      storage_limit_mb: number;
      price_cents: number;
      overage_price_cents: number;
      overage_allowed: boolean;
      requests_this_month: number;
      storage_bytes: string | number;
      document_count: number;
      message_count: number;
      subscriber_count: number;
      jobs_queued: number;
      jobs_running: number;
      jobs_failed: number;
      period_start: string | Date;
      period_end: string | Date;
      period_requests: number;
      period_overage_requests: number;
      billing_status: TenantSupportView["billing"]["billing_status"];
      payment_failed_at: string | Date | null;
    }>(
      tx,
      sql`select c.id, c.name, c.status, c.created_at, c.deletion_requested_at, c.settings,
            c.manychat_api_key_encrypted is not null as manychat_configured, c.manychat_key_last4,
            c.manychat_page_name, c.webhook_url,
            p.id as plan_id, p.name as plan_name, p.monthly_request_limit, p.storage_limit_mb, p.price_cents,
            p.overage_price_cents, p.overage_allowed,
            (select count(*)::int from messages m where m.customer_id = c.id and m.direction = 'inbound'
               and m.created_at >= date_trunc('month', now())) as requests_this_month,
            (select coalesce(sum(d.size_bytes), 0) from documents d where d.customer_id = c.id) as storage_bytes,
            (select count(*)::int from documents d where d.customer_id = c.id) as document_count,
            (select count(*)::int from messages m where m.customer_id = c.id) as message_count,
            (select count(distinct m.subscriber_id)::int from messages m where m.customer_id = c.id) as subscriber_count,
            (select count(*)::int from jobs j where j.customer_id = c.id and j.status = 'queued') as jobs_queued,
            (select count(*)::int from jobs j where j.customer_id = c.id and j.status = 'running') as jobs_running,
            (select count(*)::int from jobs j where j.customer_id = c.id and j.status = 'failed') as jobs_failed,
            b.start_at as period_start, (b.start_at at time zone 'UTC' + interval '1 month') at time zone 'UTC' as period_end,
            coalesce(u.requests, 0) as period_requests, coalesce(u.overage_requests, 0) as period_overage_requests,
            c.billing_status, c.payment_failed_at
          from customers c join subscriptions p on p.id = c.subscription_id
            cross join (select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as start_at) b
            left join usage_counters u on u.customer_id = c.id and u.period_start = b.start_at
          where c.id = ${customerId}`,
    );
    if (!c) throw notFound("Tenant");
    const people = await rows<{
      id: string;
      email: string;
      role: Role;
      last_login_at: string | Date | null;
      created_at: string | Date;
    }>(
      tx,
      sql`select id, email, role, last_login_at, created_at from users where customer_id = ${customerId}
          order by created_at, id`,
    );
    const docs = await rows<{
      id: string;
      filename: string;
      status: DocumentStatus;
      page_count: number | null;
      chunk_count: number;
      size_bytes: string | number;
      error: string | null;
      upload_date: string | Date;
    }>(
      tx,
      sql`select id, filename, status, page_count, chunk_count, size_bytes, error, upload_date from documents
          where customer_id = ${customerId} order by upload_date desc, id desc limit ${SUPPORT_VIEW_DOCUMENTS}`,
    );
    const recent = await rows<{
      id: string;
      subscriber_id: string;
      subscriber_name: string | null;
      direction: "inbound" | "outbound";
      channel: "whatsapp" | "api" | "playground";
      status: MessageStatus;
      content: string;
      error: string | null;
      created_at: string | Date;
    }>(
      tx,
      sql`select id, subscriber_id, subscriber_name, direction, channel, status,
            left(content, ${MESSAGE_PREVIEW_CHARS}) as content, error, created_at
          from messages where customer_id = ${customerId}
          order by created_at desc, id desc limit ${SUPPORT_VIEW_MESSAGES}`,
    );
    const invoices = await readInvoices(tx, { limit: SUPPORT_VIEW_INVOICES, customerId });
    await recordAudit(tx, {
      action: AUDIT_ACTIONS.tenantViewed,
      actor: staff,
      customerId,
      targetType: "customer",
      targetId: customerId,
      meta,
    });
    const settings = readSettings(c.settings);
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      created_at: iso(c.created_at) as string,
      deletion_requested_at: iso(c.deletion_requested_at),
      plan: {
        id: c.plan_id,
        name: c.plan_name,
        monthly_request_limit: c.monthly_request_limit,
        storage_limit_mb: c.storage_limit_mb,
        price_cents: c.price_cents,
        overage_price_cents: c.overage_price_cents,
        overage_allowed: c.overage_allowed,
      },
      usage: {
        requests_this_month: c.requests_this_month,
        storage_used_mb: Math.round((Number(c.storage_bytes) / (1024 * 1024)) * 100) / 100,
        document_count: c.document_count,
        message_count: c.message_count,
        subscriber_count: c.subscriber_count,
      },
      billing: {
        period_start: iso(c.period_start) as string,
        period_end: iso(c.period_end) as string,
        requests_used: c.period_requests,
        request_limit: c.monthly_request_limit,
        overage_requests: c.period_overage_requests,
        billing_status: c.billing_status,
        payment_failed_at: iso(c.payment_failed_at),
      },
      invoices: invoices.items,
      manychat: {
        configured: c.manychat_configured,
        key_last4: c.manychat_key_last4,
        page_name: c.manychat_page_name,
      },
      webhook_url: c.webhook_url,
      settings: {
        language: settings.language,
        memory_turns: settings.memory_turns,
        burst_window_seconds: settings.burst_window_seconds,
        fallback_flow: settings.fallback_flow_ns !== "",
      },
      users: people.map((u) => ({
        id: u.id,
        email: u.email,
        role: u.role,
        last_login_at: iso(u.last_login_at),
        created_at: iso(u.created_at) as string,
      })),
      jobs: { queued: c.jobs_queued, running: c.jobs_running, failed: c.jobs_failed },
      documents: docs.map((d) => ({
        id: d.id,
        filename: d.filename,
        status: d.status,
        page_count: d.page_count,
        chunk_count: d.chunk_count,
        size_bytes: Number(d.size_bytes),
        error: d.error,
        upload_date: iso(d.upload_date) as string,
      })),
      recent_messages: recent.map((m) => ({
        id: m.id,
        subscriber_id: m.subscriber_id,
        subscriber_name: m.subscriber_name,
        direction: m.direction,
        channel: m.channel,
        status: m.status,
        content: m.content,
        error: m.error,
        created_at: iso(m.created_at) as string,
      })),
    };
  });
}
