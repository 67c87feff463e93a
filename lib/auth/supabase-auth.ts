import "server-only";
import { createServerClient } from "@supabase/ssr";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { cookies } from "next/headers";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";

/**
 * Supabase Auth mode: Supabase holds passwords and issues the JWTs; @supabase/ssr keeps
 * the session in cookies; getClaims verifies tokens against the project's JWKS. The
 * app's public.users row has the same id as auth.users.
 */
async function serverClient(): Promise<SupabaseClient> {
  const cfg = config();
  const store = await cookies();
  return createServerClient(cfg.NEXT_PUBLIC_SUPABASE_URL as string, cfg.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY as string, {
    cookies: {
      getAll: () => store.getAll(),
      setAll: (list) => {
        try {
          for (const { name, value, options } of list) store.set(name, value, options);
        } catch {
          // Server components cannot set cookies; route handlers and actions can.
        }
      },
    },
  });
}

function adminClient(): SupabaseClient {
  const cfg = config();
  if (!cfg.SUPABASE_SECRET_KEY) {
    throw new AppError("internal", "SUPABASE_SECRET_KEY is required to create accounts in Supabase Auth mode.");
  }
  return createClient(cfg.NEXT_PUBLIC_SUPABASE_URL as string, cfg.SUPABASE_SECRET_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

export async function createSupabaseUser(email: string, password: string): Promise<string> {
  const { data, error } = await adminClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error) {
    if (error.code === "email_exists" || error.status === 422) {
      throw new AppError("conflict", "An account with this email already exists.");
    }
    throw new AppError("internal", "Supabase Auth could not create the account.");
  }
  return data.user.id;
}

export async function deleteSupabaseUser(id: string): Promise<void> {
  await adminClient().auth.admin.deleteUser(id);
}

export async function signInSupabase(
  email: string,
  password: string,
): Promise<{ userId: string; accessToken: string; expiresIn: number } | null> {
  const client = await serverClient();
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) return null;
  return { userId: data.user.id, accessToken: data.session.access_token, expiresIn: data.session.expires_in };
}

/** The verified user id of a bearer token, or of the session cookies when token is null. */
export async function verifySupabase(token: string | null): Promise<string | null> {
  const client = await serverClient();
  const { data, error } = token ? await client.auth.getClaims(token) : await client.auth.getClaims();
  if (error || !data?.claims?.sub) return null;
  return data.claims.sub;
}

export async function signOutSupabase(): Promise<void> {
  const client = await serverClient();
  await client.auth.signOut();
}

export async function hasSupabaseSessionCookie(): Promise<boolean> {
  const store = await cookies();
  return store.getAll().some((c) => c.name.startsWith("sb-") && c.name.includes("-auth-token"));
}
