import "server-only";
import { createServerClient } from "@supabase/ssr";
import {
  type AuthError,
  createClient,
  isAuthApiError,
  isAuthRetryableFetchError,
  isAuthWeakPasswordError,
  type SupabaseClient,
} from "@supabase/supabase-js";
import { cookies, headers } from "next/headers";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";
import { forwardedValue } from "@/lib/http/forwarded";
import { isUuid } from "@/lib/http/ids";
import { log } from "@/lib/log";

/**
 * Supabase Auth mode: Supabase holds passwords and issues the JWTs; @supabase/ssr keeps
 * the session in cookies (`sb-<project ref>-auth-token`, chunked as `.0`, `.1`… when
 * large); getClaims verifies tokens locally against the project's JWKS (ES256/RS256
 * signing keys; legacy HS256 projects fall back to a GET /auth/v1/user per call). The
 * app's public.users row has the same id as auth.users.
 *
 * Revocation. Logout revokes the Supabase session (POST /auth/v1/logout?scope=local), so
 * its refresh token stops working and the session cookies are cleared. An access token
 * already handed out is a signed JWT that getClaims checks without asking Supabase: it
 * stays valid until its `exp` (the project's "JWT expiry", 3600 s by default), exactly as
 * it does for PostgREST and Storage on Supabase itself. We accept that instead of calling
 * Supabase Auth on every API request; projects that need a shorter window lower the JWT
 * expiry in the Supabase dashboard.
 */

const SESSION_COOKIE = /^sb-.+-auth-token(\.\d+)?$/;

function settings() {
  const cfg = config();
  return {
    url: cfg.NEXT_PUBLIC_SUPABASE_URL as string,
    publishableKey: cfg.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY as string,
    secretKey: cfg.SUPABASE_SECRET_KEY,
  };
}

const noSession = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/**
 * The request's session, read from and written to the @supabase/ssr cookies. Route
 * handlers and server actions can write cookies; server components cannot (a refresh
 * done there is not persisted).
 */
async function cookieClient(): Promise<SupabaseClient> {
  const { url, publishableKey } = settings();
  const store = await cookies();
  return createServerClient(url, publishableKey, {
    cookieOptions: await cookieOptions(),
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

/**
 * No browser code reads these cookies (the pages talk to our API), so they are kept away
 * from scripts; same attributes as the embedded mode's session cookie.
 */
async function cookieOptions() {
  // X-Forwarded-Proto only from a trusted proxy (lib/http/forwarded.ts).
  const proto = forwardedValue((await headers()).get("x-forwarded-proto"), config().TRUST_PROXY);
  // An https APP_URL, or Vercel (HTTPS only), also means the browser talks HTTPS to us.
  const cfg = config();
  const secure = proto === "https" || Boolean(cfg.APP_URL?.startsWith("https:")) || Boolean(cfg.VERCEL);
  return { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
}

/** Verifies bearer tokens and revokes sessions by token; holds no session of its own. */
let tokenClientInstance: SupabaseClient | undefined;
function tokenClient(): SupabaseClient {
  const { url, publishableKey } = settings();
  tokenClientInstance ??= createClient(url, publishableKey, { auth: noSession });
  return tokenClientInstance;
}

let adminClientInstance: SupabaseClient | undefined;
function adminClient(): SupabaseClient {
  const { url, secretKey } = settings();
  if (!secretKey) {
    throw new AppError("internal", "SUPABASE_SECRET_KEY is required to create accounts in Supabase Auth mode.");
  }
  adminClientInstance ??= createClient(url, secretKey, { auth: noSession });
  return adminClientInstance;
}

const unreachable = () =>
  new AppError("service_unavailable", "The sign-in service is unreachable right now; try again shortly.");

/** Errors that are not about the caller's input: Supabase down, throttled or misconfigured. */
function serviceError(what: string, error: AuthError): AppError {
  if (error.status === 429) {
    return new AppError("rate_limited", "Too many sign-in attempts; try again in a minute.", undefined, {
      headers: { "Retry-After": "60" },
    });
  }
  log.error({ err: { name: error.name, status: error.status, code: error.code, message: error.message } }, what);
  return isAuthRetryableFetchError(error) ? unreachable() : new AppError("internal", `${what}.`);
}

export async function createSupabaseUser(email: string, password: string): Promise<string> {
  const { data, error } = await adminClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error) {
    if (error.code === "email_exists" || error.code === "user_already_exists") {
      throw new AppError("conflict", "An account with this email already exists.");
    }
    if (isAuthWeakPasswordError(error)) {
      throw new AppError("validation_failed", "The request is not valid.", [
        { path: "password", message: error.message },
      ]);
    }
    throw serviceError("Supabase Auth could not create the account", error);
  }
  return data.user.id;
}

export async function deleteSupabaseUser(id: string): Promise<void> {
  const { error } = await adminClient().auth.admin.deleteUser(id);
  if (error) log.error({ user_id: id, err: { status: error.status, code: error.code } }, "Supabase user not deleted");
}

/**
 * Signs in with Supabase and stores the session in the response cookies. Null when the
 * email or password is wrong; throws when Supabase cannot answer.
 */
export async function signInSupabase(
  email: string,
  password: string,
): Promise<{ userId: string; accessToken: string; expiresIn: number } | null> {
  const client = await cookieClient();
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error) {
    // 400 invalid_credentials, email_not_confirmed, validation_failed: the caller's input.
    if (isAuthApiError(error) && error.status === 400) return null;
    throw serviceError("Supabase Auth sign-in failed", error);
  }
  if (!data.session) return null;
  return { userId: data.user.id, accessToken: data.session.access_token, expiresIn: data.session.expires_in };
}

const hasAudience = (aud: unknown) => aud === "authenticated" || (Array.isArray(aud) && aud.includes("authenticated"));

/**
 * The verified user id of a bearer token, or of the session cookies when token is null
 * (refreshing an expired cookie session first). Null when not signed in or the token is
 * invalid or expired; throws service_unavailable when the JWKS cannot be fetched.
 * A token revoked by logout still verifies until it expires (see the note at the top).
 */
export async function verifySupabase(token: string | null): Promise<string | null> {
  // Most requests without a bearer carry no Supabase cookie (webhooks, health): skip the client.
  if (token === null && !(await hasSupabaseSessionCookie())) return null;
  const auth = token === null ? (await cookieClient()).auth : tokenClient().auth;
  const { data, error } = token === null ? await auth.getClaims() : await auth.getClaims(token);
  if (error) {
    if (isAuthRetryableFetchError(error)) throw serviceError("Supabase JWT verification failed", error);
    return null;
  }
  const claims = data?.claims;
  // A sub that is not a UUID names no user (and would fail the uuid comparison in SQL).
  if (!claims?.sub || !isUuid(claims.sub) || !hasAudience(claims.aud)) return null;
  return claims.sub;
}

/**
 * Ends the caller's Supabase session: the bearer token's session when the request has
 * one, and the cookie session (whose cookies are cleared). Other devices stay signed in.
 */
export async function signOutSupabase(): Promise<void> {
  const bearer = /^Bearer\s+(\S+)$/i.exec((await headers()).get("authorization") ?? "")?.[1];
  if (bearer) {
    const { error } = await tokenClient().auth.admin.signOut(bearer, "local");
    // 401/403/404: the token or its session is already gone, which is what we want.
    if (error && !(isAuthApiError(error) && [401, 403, 404].includes(error.status))) {
      log.warn({ err: { status: error.status, code: error.code } }, "Supabase session not revoked at logout");
    }
  }
  if (!(await hasSupabaseSessionCookie())) return;
  const { error } = await (await cookieClient()).auth.signOut({ scope: "local" });
  if (error) log.warn({ err: { status: error.status, code: error.code } }, "Supabase cookie session not revoked");
  // auth-js clears the cookies itself (the store then reads ""); make sure no chunk
  // survives an error path.
  const store = await cookies();
  const options = await cookieOptions();
  for (const c of store.getAll()) {
    if (SESSION_COOKIE.test(c.name) && c.value !== "") store.set(c.name, "", { ...options, maxAge: 0 });
  }
}

export async function hasSupabaseSessionCookie(): Promise<boolean> {
  const store = await cookies();
  return store.getAll().some((c) => SESSION_COOKIE.test(c.name) && c.value !== "");
}
