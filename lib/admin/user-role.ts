import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { type Identity, roles } from "@/lib/auth/identity";
import { asService } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { AUDIT_ACTIONS } from "./audit-actions";
import { assertGlobalAdmin } from "./staff";

/** PATCH /admin/users/{id}: how support accounts are made (and unmade). */
export const userRoleSchema = z.object({ role: z.enum(roles) }).strict();

export interface UserRoleResult {
  id: string;
  email: string;
  role: (typeof roles)[number];
  customer_id: string | null;
  changed: boolean;
}

/**
 * Gives a user another role. global_admin only, audited; takes effect on the user's next
 * request (identities are read from the database every time). Nobody changes their own
 * role, so the last admin cannot lock everyone out by accident.
 */
export async function setUserRole(
  staff: Identity,
  userId: string,
  input: z.output<typeof userRoleSchema>,
  meta: RequestMeta,
): Promise<UserRoleResult> {
  assertGlobalAdmin(staff);
  if (userId === staff.userId) throw new AppError("conflict", "You cannot change your own role.");
  return asService("audited staff change of a user's role", async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email, role: users.role, customer_id: users.customerId })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!user) throw notFound("User");
    if (user.role === input.role) return { ...user, changed: false };
    await tx.update(users).set({ role: input.role }).where(eq(users.id, userId));
    await recordAudit(tx, {
      action: AUDIT_ACTIONS.userRoleChanged,
      actor: staff,
      customerId: user.customer_id,
      targetType: "user",
      targetId: userId,
      meta,
      metadata: { from: user.role, to: input.role },
    });
    return { ...user, role: input.role, changed: true };
  });
}
