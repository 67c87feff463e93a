import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";

/**
 * A local stand-in for Supabase Auth (GoTrue) speaking its wire format, for tests. The
 * app's real clients (@supabase/supabase-js, @supabase/ssr) are pointed at it with
 * NEXT_PUBLIC_SUPABASE_URL; requests arrive under /auth/v1 as they do on a project.
 *
 * Implemented (what supabase-js 2.119 / auth-js call for our flows):
 * - POST   /auth/v1/admin/users                     admin createUser (secret key only); 422 email_exists
 * - GET    /auth/v1/admin/users/:id                 admin getUserById (deleteUser calls it first)
 * - DELETE /auth/v1/admin/users/:id                 admin deleteUser; ends the user's sessions
 * - POST   /auth/v1/token?grant_type=password       400 invalid_credentials on a wrong email or password
 * - POST   /auth/v1/token?grant_type=refresh_token  rotates the refresh token; 400 refresh_token_not_found
 *                                                  once the session is gone
 * - GET    /auth/v1/user                            403 session_not_found after logout
 * - POST   /auth/v1/logout?scope=global|local|others  revokes sessions, 204
 * - GET    /auth/v1/.well-known/jwks.json           the ES256 public key access tokens are signed with
 *
 * Faithful details: every request must carry an `apikey` header with the publishable or the
 * secret key (the API gateway's 401 otherwise); admin routes need the secret key; errors
 * follow GoTrue's HandleResponseError: with `X-Supabase-Api-Version: 2024-01-01` (which
 * auth-js always sends) the body is `{code, message}` and the header is echoed, otherwise
 * the legacy `{code: <status>, error_code, msg}`. Access tokens are ES256 JWTs with `kid`
 * and the claims GoTrue issues. Status codes follow supabase/auth >= 2.150 (a JWT whose
 * session was revoked answers 403 `session_not_found`, which auth-js maps to
 * AuthSessionMissingError whatever the status).
 *
 * Not implemented: sign-up through /signup, OTP, OAuth, MFA, PKCE, rate limits, bans.
 */
export interface FakeSupabaseUser {
  id: string;
  email: string;
  password: string;
  email_confirmed_at: string | null;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}

export interface FakeSupabaseSession {
  id: string;
  userId: string;
  /** Refresh tokens issued in this session, oldest first; the last one is the active one. */
  refreshTokens: string[];
  createdAt: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  apikey: string | null;
  authorization: string | null;
  body: unknown;
}

export interface SupabaseAuthFake {
  /** Base URL to use as NEXT_PUBLIC_SUPABASE_URL (no trailing slash). */
  url: string;
  /** Users by id. */
  users: Map<string, FakeSupabaseUser>;
  /** Live sessions by id (a logged-out session is removed, as GoTrue deletes its row). */
  sessions: Map<string, FakeSupabaseSession>;
  /** Every request received, in order (for assertions). */
  requests: FakeRequest[];
  userByEmail: (email: string) => FakeSupabaseUser | undefined;
  /** Lifetime of access tokens issued from now on (seconds). */
  setAccessTokenTtl: (seconds: number) => void;
  close: () => Promise<void>;
}

export interface SupabaseAuthFakeOptions {
  port?: number;
  publishableKey?: string;
  secretKey?: string;
  /** Access token lifetime in seconds (GoTrue's JWT_EXP; Supabase's default is 3600). */
  accessTokenTtl?: number;
}

const API_VERSION = "2024-01-01";

class GoTrueError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function startSupabaseAuthFake(options: SupabaseAuthFakeOptions = {}): Promise<SupabaseAuthFake> {
  const publishableKey = options.publishableKey ?? "sb_publishable_test";
  const secretKey = options.secretKey ?? "sb_secret_test";
  let ttl = options.accessTokenTtl ?? 3600;

  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig", key_ops: ["verify"] };

  const users = new Map<string, FakeSupabaseUser>();
  const sessions = new Map<string, FakeSupabaseSession>();
  const requests: FakeRequest[] = [];
  let issuer = "";

  const userByEmail = (email: string) => {
    const wanted = email.trim().toLowerCase();
    for (const u of users.values()) if (u.email === wanted) return u;
    return undefined;
  };

  const userJson = (u: FakeSupabaseUser) => ({
    id: u.id,
    aud: "authenticated",
    role: "authenticated",
    email: u.email,
    email_confirmed_at: u.email_confirmed_at,
    phone: "",
    confirmed_at: u.email_confirmed_at,
    last_sign_in_at: u.last_sign_in_at,
    app_metadata: u.app_metadata,
    user_metadata: u.user_metadata,
    identities: [
      {
        identity_id: u.id,
        id: u.id,
        user_id: u.id,
        identity_data: { email: u.email, email_verified: Boolean(u.email_confirmed_at), sub: u.id },
        provider: "email",
        last_sign_in_at: u.last_sign_in_at,
        created_at: u.created_at,
        updated_at: u.updated_at,
        email: u.email,
      },
    ],
    created_at: u.created_at,
    updated_at: u.updated_at,
    is_anonymous: false,
  });

  const newRefreshToken = () => randomBytes(12).toString("base64url");

  async function tokenResponse(user: FakeSupabaseUser, session: FakeSupabaseSession, method: string) {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ttl;
    const accessToken = await new SignJWT({
      email: user.email,
      phone: "",
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
      role: "authenticated",
      aal: "aal1",
      amr: [{ method, timestamp: iat }],
      session_id: session.id,
      is_anonymous: false,
    })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setIssuer(issuer)
      .setSubject(user.id)
      .setAudience("authenticated")
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: ttl,
      expires_at: exp,
      refresh_token: session.refreshTokens.at(-1),
      user: userJson(user),
    };
  }

  /** GoTrue's requireAuthentication: a valid bearer JWT whose user and session still exist. */
  async function authenticate(authorization: string | null) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (!token) throw new GoTrueError(401, "no_authorization", "This endpoint requires a Bearer token");
    let payload: Record<string, unknown>;
    try {
      const header = decodeProtectedHeader(token);
      if (header.kid !== kid) throw new Error("unknown kid");
      payload = (await jwtVerify(token, publicKey, { algorithms: ["ES256"] })).payload as Record<string, unknown>;
    } catch (err) {
      throw new GoTrueError(
        403,
        "bad_jwt",
        `invalid JWT: unable to parse or verify signature, ${(err as Error).message}`,
      );
    }
    const user = users.get(String(payload.sub ?? ""));
    if (!user) throw new GoTrueError(403, "user_not_found", "User from sub claim in JWT does not exist");
    const session = sessions.get(String(payload.session_id ?? ""));
    if (!session || session.userId !== user.id) {
      throw new GoTrueError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
    return { user, session };
  }

  function requireAdmin(apikey: string | null, authorization: string | null) {
    // The gateway turns a secret key into a service_role JWT when Authorization is absent
    // or carries that same key; any other bearer is checked by GoTrue as a user JWT.
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? null;
    if (apikey !== secretKey || (bearer !== null && bearer !== secretKey)) {
      throw new GoTrueError(403, "not_admin", "User not allowed");
    }
  }

  function endSessions(predicate: (s: FakeSupabaseSession) => boolean) {
    for (const [id, s] of sessions) if (predicate(s)) sessions.delete(id);
  }

  async function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    apikey: string | null,
    authorization: string | null,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body?: unknown }> {
    if (method === "GET" && path === "/.well-known/jwks.json") return { status: 200, body: { keys: [publicJwk] } };

    if (path === "/admin/users" && method === "POST") {
      requireAdmin(apikey, authorization);
      const email = typeof body.email === "string" ? body.email.trim().toLowerCase() : "";
      const password = typeof body.password === "string" ? body.password : "";
      if (!email) throw new GoTrueError(400, "validation_failed", "Unable to validate email address: invalid format");
      if (userByEmail(email)) {
        throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
      }
      if (password.length < 6) {
        throw new GoTrueError(422, "weak_password", "Password should be at least 6 characters.", {
          weak_password: { reasons: ["length"] },
        });
      }
      const now = new Date().toISOString();
      const user: FakeSupabaseUser = {
        id: randomUUID(),
        email,
        password,
        email_confirmed_at: body.email_confirm === true ? now : null,
        user_metadata: (body.user_metadata as Record<string, unknown>) ?? {},
        app_metadata: { provider: "email", providers: ["email"], ...((body.app_metadata as object) ?? {}) },
        created_at: now,
        updated_at: now,
        last_sign_in_at: null,
      };
      users.set(user.id, user);
      return { status: 200, body: userJson(user) };
    }

    const adminUser = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (adminUser) {
      requireAdmin(apikey, authorization);
      const user = users.get(adminUser[1] as string);
      if (!user) throw new GoTrueError(404, "user_not_found", "User not found");
      if (method === "GET") return { status: 200, body: userJson(user) };
      if (method === "DELETE") {
        users.delete(user.id);
        endSessions((s) => s.userId === user.id);
        return { status: 200, body: {} };
      }
    }

    if (path === "/token" && method === "POST") {
      const grant = query.get("grant_type");
      if (grant === "password") {
        const email = typeof body.email === "string" ? body.email.trim().toLowerCase() : "";
        const user = userByEmail(email);
        if (!user || user.password !== body.password) {
          throw new GoTrueError(400, "invalid_credentials", "Invalid login credentials");
        }
        if (!user.email_confirmed_at) throw new GoTrueError(400, "email_not_confirmed", "Email not confirmed");
        user.last_sign_in_at = new Date().toISOString();
        const session: FakeSupabaseSession = {
          id: randomUUID(),
          userId: user.id,
          refreshTokens: [newRefreshToken()],
          createdAt: new Date().toISOString(),
        };
        sessions.set(session.id, session);
        return { status: 200, body: await tokenResponse(user, session, "password") };
      }
      if (grant === "refresh_token") {
        const presented = typeof body.refresh_token === "string" ? body.refresh_token : "";
        if (!presented) throw new GoTrueError(400, "validation_failed", "refresh_token required");
        const session = [...sessions.values()].find((s) => s.refreshTokens.includes(presented));
        const user = session ? users.get(session.userId) : undefined;
        if (!session || !user) {
          throw new GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        }
        const index = session.refreshTokens.indexOf(presented);
        const last = session.refreshTokens.length - 1;
        if (index === last) {
          session.refreshTokens.push(newRefreshToken());
        } else if (index !== last - 1) {
          // Reuse of an older token than the active one's parent: GoTrue revokes the family.
          sessions.delete(session.id);
          throw new GoTrueError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
        // (index === last - 1: the parent of the active token gets the active one back, as GoTrue does.)
        return { status: 200, body: await tokenResponse(user, session, "password") };
      }
      throw new GoTrueError(400, "validation_failed", "unsupported_grant_type");
    }

    if (path === "/user" && method === "GET") {
      const { user } = await authenticate(authorization);
      return { status: 200, body: userJson(user) };
    }

    if (path === "/logout" && method === "POST") {
      const { user, session } = await authenticate(authorization);
      const scope = query.get("scope") ?? "global";
      if (scope === "local") endSessions((s) => s.id === session.id);
      else if (scope === "others") endSessions((s) => s.userId === user.id && s.id !== session.id);
      else if (scope === "global") endSessions((s) => s.userId === user.id);
      else throw new GoTrueError(400, "validation_failed", `Unsupported logout scope "${scope}"`);
      return { status: 204 };
    }

    throw new GoTrueError(404, "not_found", "Not found");
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const apikey = (req.headers.apikey as string | undefined) ?? url.searchParams.get("apikey");
    const authorization = req.headers.authorization ?? null;
    const versioned = (req.headers["x-supabase-api-version"] as string | undefined) ?? "";
    const modern = versioned >= API_VERSION;

    let body: Record<string, unknown> = {};
    try {
      const parsed = raw ? JSON.parse(raw) : {};
      body = parsed && typeof parsed === "object" ? parsed : {};
    } catch {
      body = { __invalid: true };
    }
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      apikey: apikey ?? null,
      authorization,
      body: raw ? body : null,
    });

    const send = (status: number, payload?: unknown) => {
      const headers: Record<string, string> = {};
      if (modern) headers["x-supabase-api-version"] = API_VERSION;
      if (payload === undefined) {
        res.writeHead(status, headers);
        res.end();
        return;
      }
      headers["content-type"] = "application/json";
      res.writeHead(status, headers);
      res.end(JSON.stringify(payload));
    };

    if (!url.pathname.startsWith("/auth/v1/")) return send(404, { message: "no Route matched with those values" });
    const path = url.pathname.slice("/auth/v1".length);
    // The API gateway in front of Auth: the JWKS is public, everything else needs a project key.
    if (path !== "/.well-known/jwks.json") {
      if (!apikey) {
        return send(401, {
          message: "No API key found in request",
          hint: "No `apikey` request header or url param was found.",
        });
      }
      if (apikey !== publishableKey && apikey !== secretKey) {
        return send(401, {
          message: "Invalid API key",
          hint: "Double check your Supabase `anon` or `service_role` API key.",
        });
      }
    }
    try {
      if (body.__invalid) throw new GoTrueError(400, "bad_json", "Could not parse request body as JSON");
      const out = await handle(req.method ?? "GET", path, url.searchParams, apikey ?? null, authorization, body);
      send(out.status, out.body);
    } catch (err) {
      if (!(err instanceof GoTrueError)) {
        send(500, modern ? { code: "unexpected_failure", message: String(err) } : { code: 500, msg: String(err) });
        return;
      }
      send(
        err.status,
        modern
          ? { code: err.code, message: err.message, ...err.extra }
          : { code: err.status, error_code: err.code, msg: err.message, ...err.extra },
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  issuer = `${url}/auth/v1`;

  return {
    url,
    users,
    sessions,
    requests,
    userByEmail,
    setAccessTokenTtl: (seconds) => {
      ttl = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
