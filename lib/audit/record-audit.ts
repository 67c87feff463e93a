import "server-only";
import type { Identity } from "@/lib/auth/identity";
import type { Tx } from "@/lib/db/client";
import { auditLogs } from "@/lib/db/schema";

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/**
 * Appends one entry to the audit trail, inside the caller's transaction so the entry
 * exists exactly when the change does. The table grants no update or delete.
 */
export async function recordAudit(
  tx: Tx,
  entry: {
    action: string;
    actor: Pick<Identity, "userId" | "role"> | null;
    customerId: string | null;
    targetType?: string;
    targetId?: string;
    meta: RequestMeta | null;
    metadata?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.insert(auditLogs).values({
    action: entry.action,
    actorUserId: entry.actor?.userId ?? null,
    actorRole: entry.actor?.role ?? null,
    customerId: entry.customerId,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.meta?.ip ?? null,
    userAgent: entry.meta?.userAgent?.slice(0, 500) ?? null,
    metadata: { request_id: entry.meta?.requestId, ...entry.metadata },
  });
}
