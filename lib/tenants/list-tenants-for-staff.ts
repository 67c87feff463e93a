import "server-only";
import { sql } from "drizzle-orm";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService, rows } from "@/lib/db/client";
import { decodeCursor, page } from "@/lib/http/pagination";

export interface TenantSummary {
  id: string;
  name: string;
  status: string;
  owner_email: string | null;
  plan: { id: string; name: string };
  usage: { requests_this_month: number; storage_used_mb: number };
  document_count: number;
  created_at: string;
}

/** Platform staff's list of tenants. An audited privileged read across tenants. */
export async function listTenantsForStaff(
  staff: Identity,
  input: { query?: string; limit: number; cursor?: string },
  meta: RequestMeta,
) {
  const after = decodeCursor(input.cursor);
  const q = input.query?.trim()
    ? `%${input.query
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, "\\$&")}%`
    : null;
  return asService("audited staff read of the tenant list", async (tx) => {
    const found = await rows<
      Omit<TenantSummary, "plan" | "usage"> & {
        plan_id: string;
        plan_name: string;
        requests_this_month: number;
        storage_bytes: string | number;
        created_at: string | Date;
        cursor_at: string;
      }
    >(
      tx,
      sql`select c.id, c.name, c.status, c.created_at,
            to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
            (select min(u.email) from users u where u.customer_id = c.id) as owner_email,
            p.id as plan_id, p.name as plan_name,
            (select count(*)::int from documents d where d.customer_id = c.id) as document_count,
            (select coalesce(sum(d.size_bytes), 0) from documents d where d.customer_id = c.id) as storage_bytes,
            coalesce((select uc.requests from usage_counters uc where uc.customer_id = c.id
               and uc.period_start = private.billing_period_start()), 0) as requests_this_month
          from customers c join subscriptions p on p.id = c.subscription_id
          where (${q}::text is null or lower(c.name) like ${q} or exists (
                  select 1 from users u where u.customer_id = c.id and lower(u.email) like ${q}))
            and (${after?.at ?? null}::timestamptz is null
                 or (c.created_at, c.id) < (${after?.at ?? null}::timestamptz, ${after?.id ?? null}::uuid))
          order by c.created_at desc, c.id desc
          limit ${input.limit + 1}`,
    );
    await recordAudit(tx, {
      action: "admin.tenants_listed",
      actor: staff,
      customerId: null,
      meta,
      metadata: { query: input.query ?? null, count: Math.min(found.length, input.limit) },
    });
    // The cursor keeps Postgres' microseconds: tenants created in the same millisecond are neither skipped nor repeated.
    const result = page(found, input.limit, (r) => [r.cursor_at, r.id]);
    const items: TenantSummary[] = result.items.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      owner_email: r.owner_email,
      plan: { id: r.plan_id, name: r.plan_name },
      usage: {
        requests_this_month: r.requests_this_month,
        storage_used_mb: Math.round((Number(r.storage_bytes) / (1024 * 1024)) * 100) / 100,
      },
      document_count: r.document_count,
      created_at: new Date(r.created_at).toISOString(),
    }));
    return { items, next_cursor: result.next_cursor };
  });
}
