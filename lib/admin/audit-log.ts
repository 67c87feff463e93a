import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import type { Identity } from "@/lib/auth/identity";
import { asService, rows } from "@/lib/db/client";
import { decodeCursor, page, pageQuerySchema } from "@/lib/http/pagination";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertStaff } from "./staff";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** GET /admin/audit-logs: newest first, optionally one tenant's and/or one action (or a prefix like `admin.`). */
export const auditQuerySchema = pageQuerySchema.extend({
  customer_id: z.preprocess(blankToUndefined, z.uuid("must be a tenant id").optional()),
  action: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(100, "must be at most 100 characters")
      .regex(/^[a-z0-9_.]+$/i, "may contain only letters, digits, dots and underscores")
      .optional(),
  ),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;

export interface AuditEntry {
  id: string;
  created_at: string;
  action: string;
  actor: { user_id: string | null; email: string | null; role: string | null };
  customer: { id: string; name: string | null } | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
}

/**
 * The audit trail for staff. Reading it is itself recorded: it names people, addresses
 * and what every tenant did.
 */
export async function listAuditLogs(
  staff: Identity,
  input: AuditQuery,
  meta: RequestMeta,
): Promise<{ items: AuditEntry[]; next_cursor: string | null }> {
  assertStaff(staff);
  const after = decodeCursor(input.cursor);
  // A full name matches that action; a prefix ending with a dot ("admin.") matches the family.
  const action = input.action ?? null;
  const prefix = action?.endsWith(".") ? `${action.replace(/[\\%_]/g, "\\$&")}%` : null;
  return asService("audited staff read of the audit trail", async (tx) => {
    const found = await rows<{
      id: string;
      cursor_at: string;
      action: string;
      actor_user_id: string | null;
      actor_email: string | null;
      actor_role: string | null;
      customer_id: string | null;
      customer_name: string | null;
      target_type: string | null;
      target_id: string | null;
      ip: string | null;
      user_agent: string | null;
      metadata: Record<string, unknown> | null;
    }>(
      tx,
      sql`select a.id, to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
            a.action, a.actor_user_id, u.email as actor_email, a.actor_role, a.customer_id, c.name as customer_name,
            a.target_type, a.target_id, a.ip, a.user_agent, a.metadata
          from audit_logs a
          left join users u on u.id = a.actor_user_id
          left join customers c on c.id = a.customer_id
          where (${input.customer_id ?? null}::uuid is null or a.customer_id = ${input.customer_id ?? null}::uuid)
            and (${action}::text is null or (${prefix}::text is null and a.action = ${action}::text)
                 or a.action like ${prefix}::text)
            and (${after?.at ?? null}::timestamptz is null
                 or (a.created_at, a.id) < (${after?.at ?? null}::timestamptz, ${after?.id ?? null}::uuid))
          order by a.created_at desc, a.id desc
          limit ${input.limit + 1}`,
    );
    // The entry names the tenant only if it exists (audit_logs.customer_id is a foreign key).
    const [tenant] = input.customer_id
      ? await rows<{ id: string }>(tx, sql`select id from customers where id = ${input.customer_id}`)
      : [];
    await recordAudit(tx, {
      action: AUDIT_ACTIONS.auditListed,
      actor: staff,
      customerId: tenant?.id ?? null,
      meta,
      metadata: {
        filter: { customer_id: input.customer_id ?? null, action },
        count: Math.min(found.length, input.limit),
      },
    });
    const result = page(found, input.limit, (r) => [r.cursor_at, r.id]);
    return {
      items: result.items.map((r) => {
        const { request_id, ...metadata } = r.metadata ?? {};
        return {
          id: r.id,
          created_at: new Date(r.cursor_at).toISOString(),
          action: r.action,
          actor: { user_id: r.actor_user_id, email: r.actor_email, role: r.actor_role },
          customer: r.customer_id ? { id: r.customer_id, name: r.customer_name } : null,
          target_type: r.target_type,
          target_id: r.target_id,
          ip: r.ip,
          user_agent: r.user_agent,
          request_id: typeof request_id === "string" ? request_id : null,
          metadata,
        };
      }),
      next_cursor: result.next_cursor,
    };
  });
}
