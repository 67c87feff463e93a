import "server-only";
import { and, desc, eq, lt, or } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { withTenant } from "@/lib/db/client";
import { auditLogs, users } from "@/lib/db/schema";
import { decodeCursor, page, pageQuerySchema } from "@/lib/http/pagination";

export const myAuditQuerySchema = pageQuerySchema;

/**
 * GET /customers/me/audit-logs: the tenant's own trail, newest first: sign-ins, settings
 * and key changes, uploads and deletions, exports, and every read of its data by
 * platform staff. Row-level security scopes it; a staff member's email is not shown
 * (their user row is not the tenant's), their role is.
 */
export function listMyAuditLogs(identity: Identity, input: { limit: number; cursor?: string }) {
  const after = decodeCursor(input.cursor);
  return withTenant(tenantClaims(identity), async (tx) => {
    const found = await tx
      .select({ a: auditLogs, email: users.email })
      .from(auditLogs)
      .leftJoin(users, eq(users.id, auditLogs.actorUserId))
      .where(
        and(
          after
            ? or(lt(auditLogs.createdAt, after.at), and(eq(auditLogs.createdAt, after.at), lt(auditLogs.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(input.limit + 1);
    const paged = page(found, input.limit, (r) => [r.a.createdAt, r.a.id]);
    return {
      items: paged.items.map(({ a, email }) => {
        const { request_id, ...metadata } = a.metadata ?? {};
        return {
          id: a.id,
          created_at: new Date(a.createdAt).toISOString(),
          action: a.action,
          actor: { user_id: a.actorUserId, email: email ?? null, role: a.actorRole },
          target_type: a.targetType,
          target_id: a.targetId,
          ip: a.ip,
          user_agent: a.userAgent,
          request_id: typeof request_id === "string" ? request_id : null,
          metadata,
        };
      }),
      next_cursor: paged.next_cursor,
    };
  });
}
