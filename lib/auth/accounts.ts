import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config";
import { asService, rows } from "@/lib/db/client";
import { sessions, users } from "@/lib/db/schema";
import { AppError } from "@/lib/http/errors";
import { hitRateLimit } from "@/lib/http/rate-limit";
import { createTenant } from "@/lib/tenants/create-tenant";
import { signSessionToken, verifySessionToken } from "./embedded-tokens";
import type { Identity, Role } from "./identity";
import { hashPassword, verifyPassword } from "./passwords";
import {
  createSupabaseUser,
  deleteSupabaseUser,
  signInSupabase,
  signOutSupabase,
  verifySupabase,
} from "./supabase-auth";
import { weakPasswordReason } from "./weak-passwords";

export const signupSchema = z
  .object({
    email: z.email("must be a valid email address").max(254, "must be at most 254 characters"),
    password: z.string().min(10, "must be at least 10 characters").max(200, "must be at most 200 characters"),
    company_name: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
  })
  // Common and trivial passwords (lib/auth/weak-passwords.ts); any future password change
  // goes through weakPasswordReason too.
  .superRefine((input, ctx) => {
    // A password already refused for its length gets that one reason only.
    if (typeof input.password !== "string" || input.password.length < 10) return;
    const reason = weakPasswordReason(input.password, typeof input.email === "string" ? input.email : undefined);
    if (reason) ctx.addIssue({ code: "custom", path: ["password"], message: reason });
  });
export const loginSchema = z.object({
  email: z.string().trim().min(1, "is required").max(254, "must be at most 254 characters"),
  password: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
});

export interface AuthResult {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  user: { id: string; email: string; role: Role };
  customer?: { id: string; name: string };
}

const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === "23505" || e.cause?.code === "23505";
};

function roleFor(email: string): Role {
  return config().ADMIN_EMAILS.includes(email.toLowerCase()) ? "global_admin" : "account_user";
}

async function openSession(userId: string, email: string, meta: RequestMeta) {
  const ttl = config().SESSION_TTL_HOURS * 3600;
  const [session] = await asService("open a session at sign-in", (tx) =>
    tx
      .insert(sessions)
      .values({
        userId,
        expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 500) ?? null,
      })
      .returning({ id: sessions.id }),
  );
  const token = await signSessionToken({ userId, email, sessionId: (session as { id: string }).id, ttlSeconds: ttl });
  return { token, ttl };
}

/** Creates the user, their tenant on the default plan and its webhook secret; signs them in. */
export async function signUp(input: z.output<typeof signupSchema>, meta: RequestMeta): Promise<AuthResult> {
  const email = input.email.trim().toLowerCase();
  await hitRateLimit(`signup:ip:${meta.ip ?? "unknown"}`, config().SIGNUP_RATE_LIMIT_PER_HOUR, 3600);
  const role = roleFor(email);
  const supabase = config().authMode === "supabase";
  const supabaseUserId = supabase ? await createSupabaseUser(email, input.password) : null;
  const hashed = supabase ? null : await hashPassword(input.password);
  let created: { user: { id: string; email: string; role: Role }; customer: { id: string; name: string } };
  try {
    created = await asService("sign-up creates the account before any identity exists", async (tx) => {
      const customer = await createTenant(tx, input.company_name);
      const [user] = await tx
        .insert(users)
        .values({
          ...(supabaseUserId ? { id: supabaseUserId } : {}),
          email,
          hashedPassword: hashed,
          role,
          customerId: customer.id,
          lastLoginAt: new Date().toISOString(),
        })
        .returning({ id: users.id, email: users.email, role: users.role });
      const u = user as { id: string; email: string; role: Role };
      await recordAudit(tx, {
        action: "auth.signup",
        actor: { userId: u.id, role: u.role },
        customerId: customer.id,
        targetType: "user",
        targetId: u.id,
        meta,
      });
      return { user: u, customer };
    });
  } catch (err) {
    if (supabaseUserId) await deleteSupabaseUser(supabaseUserId).catch(() => {});
    if (isUniqueViolation(err)) throw new AppError("conflict", "An account with this email already exists.");
    throw err;
  }
  if (supabase) {
    const session = await signInSupabase(email, input.password);
    if (!session) throw new AppError("internal", "The account was created but signing in failed; try logging in.");
    return { access_token: session.accessToken, token_type: "bearer", expires_in: session.expiresIn, ...created };
  }
  const { token, ttl } = await openSession(created.user.id, email, meta);
  return { access_token: token, token_type: "bearer", expires_in: ttl, ...created };
}

const invalidCredentials = () => new AppError("invalid_credentials", "Wrong email or password.");

export async function logIn(input: z.output<typeof loginSchema>, meta: RequestMeta): Promise<AuthResult> {
  const email = input.email.trim().toLowerCase();
  await hitRateLimit(`login:ip:${meta.ip ?? "unknown"}`, 50, 900);
  await hitRateLimit(`login:email:${email}`, 10, 900);
  const supabase = config().authMode === "supabase";
  const found = await findUserForLogin(email);
  let accessToken: string;
  let expiresIn: number;
  if (supabase) {
    // No app account, no Supabase session: nothing is signed in for a user we cannot serve.
    if (!found) throw invalidCredentials();
    const session = await signInSupabase(email, input.password);
    if (!session) throw invalidCredentials();
    if (found.id !== session.userId) {
      await signOutSupabase().catch(() => {});
      throw invalidCredentials();
    }
    if (found.customer_status === "pending_deletion") {
      await signOutSupabase().catch(() => {});
      throw deletedWorkspace();
    }
    accessToken = session.accessToken;
    expiresIn = session.expiresIn;
  } else {
    const ok = await verifyPassword(input.password, found?.hashed_password ?? null);
    if (!ok || !found) throw invalidCredentials();
    // Only once the password is right, so the answer says nothing to a stranger.
    if (found.customer_status === "pending_deletion") throw deletedWorkspace();
    const s = await openSession(found.id, found.email, meta);
    accessToken = s.token;
    expiresIn = s.ttl;
  }
  const user = found as LoginRow;
  await asService("record the sign-in", async (tx) => {
    await tx.update(users).set({ lastLoginAt: new Date().toISOString() }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      action: "auth.login",
      actor: { userId: user.id, role: user.role },
      customerId: user.customer_id,
      targetType: "user",
      targetId: user.id,
      meta,
    });
  });
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: expiresIn,
    user: { id: user.id, email: user.email, role: user.role },
    ...(user.customer_id ? { customer: { id: user.customer_id, name: user.customer_name as string } } : {}),
  };
}

interface LoginRow {
  id: string;
  email: string;
  role: Role;
  hashed_password: string | null;
  customer_id: string | null;
  customer_name: string | null;
  customer_status: string | null;
}

const deletedWorkspace = () =>
  new AppError(
    "forbidden",
    "This workspace was deleted at its owner's request. Support can restore it within 30 days of the request.",
  );

async function findUserForLogin(email: string): Promise<LoginRow | undefined> {
  const [row] = await asService("find the account signing in", (tx) =>
    rows<LoginRow>(
      tx,
      sql`select u.id, u.email, u.role, u.hashed_password, u.customer_id, c.name as customer_name,
                 c.status as customer_status
          from users u left join customers c on c.id = u.customer_id
          where lower(u.email) = ${email}`,
    ),
  );
  return row;
}

export async function logOut(identity: Identity | null): Promise<void> {
  if (config().authMode === "supabase") {
    await signOutSupabase().catch(() => {});
    return;
  }
  if (!identity?.sessionId) return;
  await asService("revoke the session at logout", (tx) =>
    tx
      .update(sessions)
      .set({ revokedAt: new Date().toISOString() })
      .where(and(eq(sessions.id, identity.sessionId as string), eq(sessions.userId, identity.userId))),
  );
}

interface IdentityRow {
  id: string;
  email: string;
  role: Role;
  customer_id: string | null;
  customer_status: string | null;
}

/**
 * Turns a token (bearer or cookie) into a verified identity, refreshed from the
 * database so role changes and revoked sessions apply at once. Null when not signed in.
 */
export async function resolveIdentity(token: string | null, via: Identity["via"]): Promise<Identity | null> {
  if (config().authMode === "supabase") {
    const userId = await verifySupabase(token);
    if (!userId) return null;
    const [row] = await asService("resolve the verified Supabase user", (tx) =>
      rows<IdentityRow>(
        tx,
        sql`select u.id, u.email, u.role, u.customer_id, c.status as customer_status
            from users u left join customers c on c.id = u.customer_id where u.id = ${userId}`,
      ),
    );
    return row ? toIdentity(row, null, via) : null;
  }
  if (!token) return null;
  const verified = await verifySessionToken(token);
  if (!verified) return null;
  const [row] = await asService("resolve the session of a verified token", (tx) =>
    rows<IdentityRow>(
      tx,
      sql`select u.id, u.email, u.role, u.customer_id, c.status as customer_status
          from sessions s
          join users u on u.id = s.user_id
          left join customers c on c.id = u.customer_id
          where s.id = ${verified.sessionId} and s.user_id = ${verified.userId}
            and s.revoked_at is null and s.expires_at > now()`,
    ),
  );
  return row ? toIdentity(row, verified.sessionId, via) : null;
}

function toIdentity(row: IdentityRow, sessionId: string | null, via: Identity["via"]): Identity {
  return {
    userId: row.id,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    customerStatus: row.customer_status,
    sessionId,
    via,
  };
}
