import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { importJWK, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiResponse, api, expectError, signUp, visitorIp } from "../support/api";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { tcpProxy } from "../support/tcp-proxy";
import { postWebhook } from "../support/webhook";

// The "Low" findings of the hostile-input review (issue 13), each as a user or an
// attacker would meet it: cross-site login/logout, forwarded headers without a trusted
// proxy, a database outage (503, and nothing private in the logs), framework-level
// errors (405, 431, a broken URL) with the envelope, tokens with malformed claims, and
// common passwords. The IPv6 forms of the outbound URL check are unit tests
// (lib/outbound-webhooks/outbound-webhooks.test.ts).

const baseUrl = () => inject("baseUrl");
const origin = () => new URL(baseUrl()).origin;
const onPostgres = process.env.TEST_DB === "postgres";

const cookieOf = (res: { headers: Headers }) => (res.headers.get("set-cookie") ?? "").split(";")[0] as string;

describe("login, sign-up and logout refuse cross-site requests", () => {
  it("a text/plain login from another site (what an HTML form can send) is refused and sets no cookie", async () => {
    const s = await signUp();
    const body = JSON.stringify({ email: s.email, password: s.password });
    const crossSite = await api("/api/v1/auth/login", {
      method: "POST",
      rawBody: body,
      headers: { "content-type": "text/plain", origin: "http://evil.test", "x-forwarded-for": visitorIp() },
    });
    expectError(crossSite, 403, "forbidden");
    expect(crossSite.headers.get("set-cookie")).toBeNull();
    // The same from our own origin, or from a client that sends no Origin: still not JSON.
    for (const headers of [{ origin: origin() }, {}] as Record<string, string>[]) {
      const plain = await api("/api/v1/auth/login", {
        method: "POST",
        rawBody: body,
        headers: { ...headers, "content-type": "text/plain;charset=UTF-8", "x-forwarded-for": visitorIp() },
      });
      expectError(plain, 415, "unsupported_media_type");
      expect(plain.headers.get("set-cookie")).toBeNull();
    }
    const form = await api("/api/v1/auth/login", {
      method: "POST",
      rawBody: new URLSearchParams({ email: s.email, password: s.password }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectError(form, 415, "unsupported_media_type");
  });

  it("JSON from a foreign Origin, from Origin null or marked cross-site by the browser is refused", async () => {
    const s = await signUp();
    for (const headers of [
      { origin: "http://evil.test" },
      { origin: "null" },
      { origin: origin().replace("127.0.0.1", "localhost") },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ] as Record<string, string>[]) {
      const res = await api("/api/v1/auth/login", {
        method: "POST",
        body: { email: s.email, password: s.password },
        headers: { ...headers, "x-forwarded-for": visitorIp() },
      });
      expectError(res, 403, "forbidden");
      expect(res.headers.get("set-cookie"), JSON.stringify(headers)).toBeNull();
    }
  });

  it("JSON from our own pages, or from a client without Origin (curl, SDKs), logs in", async () => {
    const s = await signUp();
    for (const headers of [
      { origin: origin(), "sec-fetch-site": "same-origin" },
      {},
      { "sec-fetch-site": "none" },
    ] as Record<string, string>[]) {
      const res = await api("/api/v1/auth/login", {
        method: "POST",
        body: { email: s.email, password: s.password },
        headers: { ...headers, "content-type": "application/json; charset=utf-8", "x-forwarded-for": visitorIp() },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  it("sign-up takes JSON from our origin only", async () => {
    const input = { email: `csrf-${randomUUID().slice(0, 8)}@example.test`, password: "a long enough password" };
    const cross = await api("/api/v1/auth/signup", {
      method: "POST",
      body: { ...input, company_name: "Cross Site" },
      headers: { origin: "http://evil.test", "x-forwarded-for": visitorIp() },
    });
    expectError(cross, 403, "forbidden");
    const plain = await api("/api/v1/auth/signup", {
      method: "POST",
      rawBody: JSON.stringify({ ...input, company_name: "Plain Text" }),
      headers: { "content-type": "text/plain", "x-forwarded-for": visitorIp() },
    });
    expectError(plain, 415, "unsupported_media_type");
    // Neither created the account: the email is still free.
    await signUp({ email: input.email });
  });

  it("logout from another site leaves the session alone; from our pages it revokes it", async () => {
    const s = await signUp();
    const cookie = cookieOf(s.res);
    for (const headers of [
      { origin: "http://evil.test" },
      { origin: "http://evil.test", "content-type": "text/plain" },
      { "sec-fetch-site": "cross-site" },
    ] as Record<string, string>[]) {
      const res = await api("/api/v1/auth/logout", { method: "POST", headers: { ...headers, cookie } });
      expectError(res, 403, "forbidden");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // A form post without Origin (old browsers) is still not JSON.
    const form = await api("/api/v1/auth/logout", {
      method: "POST",
      rawBody: "x=1",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    expectError(form, 415, "unsupported_media_type");
    expect((await api("/api/v1/customers/me", { headers: { cookie } })).status).toBe(200);
    expect((await api("/api/v1/customers/me", { token: s.token })).status).toBe(200);

    // The dashboard's logout button: a same-origin fetch without a body.
    const ok = await api("/api/v1/auth/logout", {
      method: "POST",
      headers: { cookie, origin: origin(), "sec-fetch-site": "same-origin" },
    });
    expect(ok.status).toBe(204);
    expectError(await api("/api/v1/customers/me", { token: s.token }), 401, "unauthenticated");
  });
});

describe("tokens with malformed claims", () => {
  async function forge(claims: Record<string, unknown>): Promise<string> {
    // Signed with the server's own key (DATA_DIR/keys): only the claims are wrong.
    const jwk = JSON.parse(
      fs.readFileSync(path.join(inject("serverDataDir"), "keys", "jwt-es256.json"), "utf8"),
    ) as JWK;
    const key = await importJWK(jwk, "ES256");
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid as string, typ: "JWT" })
      .setIssuer("pdf-answers")
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
  }

  it("a validly signed token whose sub or sid is not a UUID is a 401, not a 500", async () => {
    const s = await signUp();
    const uuid = randomUUID();
    const cases: Record<string, unknown>[] = [
      { sub: "not-a-uuid", sid: uuid },
      { sub: s.user.id, sid: "1 or 1=1" },
      { sub: `${s.user.id}x`, sid: uuid },
      { sub: s.user.id, sid: 42 },
      { sub: s.user.id },
      { sid: uuid },
    ];
    for (const claims of cases) {
      const token = await forge({ role: "authenticated", email: s.email, ...claims });
      const res = await api("/api/v1/customers/me", { token });
      expectError(res, 401, "unauthenticated");
      // Public routes treat it as no token at all.
      expect((await api("/api/v1/health", { token })).status).toBe(200);
      const cookieRes = await api("/api/v1/customers/me", { headers: { cookie: `pa_session=${token}` } });
      expectError(cookieRes, 401, "unauthenticated");
      // The dashboard sends such a visitor to the login page instead of failing.
      const page = await fetch(`${baseUrl()}/dashboard`, {
        headers: { cookie: `pa_session=${token}` },
        redirect: "manual",
      });
      expect(page.status, JSON.stringify(claims)).toBeLessThan(400);
    }
  });
});

describe("common passwords", () => {
  it.each([
    "aaaaaaaaaa",
    "1234567890",
    "0987654321",
    "abcdefghij",
    "qwertyuiop",
    "azertyuiop",
    "password123",
    "Password1234",
    "iloveyou123",
    "abcabcabcabc",
    "1212121212",
    "motdepasse123",
  ])("%s is refused at sign-up with the field named", async (password) => {
    const res = await api("/api/v1/auth/signup", {
      method: "POST",
      body: { email: `weak-${randomUUID().slice(0, 8)}@example.test`, password, company_name: "Weak Co" },
      headers: { "x-forwarded-for": visitorIp() },
    });
    expectError(res, 422, "validation_failed");
    expect(res.body.error.details).toEqual([{ path: "password", message: expect.stringMatching(/common|guess/i) }]);
  });

  it("a password made of the email address is refused", async () => {
    const email = `marie.dupont-${randomUUID().slice(0, 4)}@example.test`;
    const res = await api("/api/v1/auth/signup", {
      method: "POST",
      body: { email, password: email, company_name: "Mirror Co" },
      headers: { "x-forwarded-for": visitorIp() },
    });
    expectError(res, 422, "validation_failed");
    expect(res.body.error.details).toEqual([{ path: "password", message: expect.any(String) }]);
  });

  it("ordinary passphrases still work", async () => {
    await signUp({ password: "correct horse battery" });
    await signUp({ password: "Tr0ub4dor&3xyz" });
    await signUp({ password: "le vélo bleu de Marie" });
  });
});

/** A request written on the socket as is (node's client would refuse some of them); returns the raw answer. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let answer = "";
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    socket.on("data", (d) => {
      answer += d;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

function parseRaw(answer: string) {
  const [head = "", body = ""] = answer.split("\r\n\r\n");
  const [statusLine, ...lines] = head.split("\r\n");
  const headers = new Headers(
    lines.map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()] as [string, string]),
  );
  let parsed: unknown = body;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON
  }
  return { status: Number(statusLine?.split(" ")[1]), headers, body: parsed as any };
}

const wrongMethods: [string, string][] = [
  ["DELETE", "/api/v1/health"],
  ["PUT", "/api/v1/auth/login"],
  ["GET", "/api/v1/webhook/manychat"],
  ["PATCH", "/api/v1/documents/upload-url"],
  ["POST", "/api/v1/conversations"],
];

describe("framework-level errors carry the envelope and x-request-id (npm start)", () => {
  it.each(wrongMethods)("%s %s is a 405 with the envelope", async (method, route) => {
    const res = await api(route, { method });
    expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toMatch(/^[A-Z, ]+$/);
    expect(res.headers.get("allow")).not.toContain(method);
  });

  it("a method Next.js does not know (TRACE) is a 405 too, and the caller's request id is kept", async () => {
    // fetch refuses to send TRACE: written on the socket.
    const res = parseRaw(
      await rawRequest(
        baseUrl(),
        "TRACE /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: trace-probe-0001\r\nConnection: close\r\n\r\n",
      ),
    );
    expectError(res, 405, "method_not_allowed");
    expect(res.body.error.request_id).toBe("trace-probe-0001");
  });

  it("a 100 KB header is a 431 with the envelope", async () => {
    const host = new URL(baseUrl()).host;
    const answer = await rawRequest(
      baseUrl(),
      `GET /api/v1/health HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${"a".repeat(100_000)}\r\nConnection: close\r\n\r\n`,
    );
    const res = parseRaw(answer);
    expectError(res, 431, "headers_too_large");
  });

  it("a URL that cannot be decoded is a 400 with the envelope, not a 500", async () => {
    const res = parseRaw(
      await rawRequest(baseUrl(), `GET /api/v1/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    expectError(res, 400, "bad_request");
  });
});

// Plain `next start` (as on Vercel: no server.ts in front) and `npm start`, both without a
// trusted proxy (TRUST_PROXY=0): what a client writes in X-Forwarded-* is its own claim.
describe("without a trusted proxy", () => {
  const servers: { name: string; server: AppServer }[] = [];
  let database: { url: string; drop: () => Promise<void> } | null = null;

  beforeAll(async () => {
    if (onPostgres) database = await createDatabase("pa_lowfind");
    const env = {
      TRUST_PROXY: "0",
      ENCRYPTION_KEY: inject("encryptionKey"),
      MANYCHAT_API_URL: inject("manychatUrl"),
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    // On PGlite each server has its own data folder (one process per embedded database).
    const dataDir = database ? tempDataDir("noproxy") : undefined;
    servers.push({ name: "npm start", server: await startAppServer(env, { dataDir }) });
    servers.push({ name: "next start", server: await startAppServer(env, { dataDir, nextStart: true }) });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map(({ server }) => server.stop()));
    await database?.drop();
  });

  it("X-Forwarded-Host does not pass the CSRF origin check", async () => {
    for (const { name, server } of servers) {
      const s = await signUp({}, server.url);
      const cookie = cookieOf(s.res);
      const res = await api("/api/v1/customers/me", {
        baseUrl: server.url,
        method: "PATCH",
        body: { name: "Renamed by evil.test" },
        headers: { cookie, origin: "http://evil.test", "x-forwarded-host": "evil.test", "x-forwarded-proto": "http" },
      });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(403);
      expectError(res, 403, "forbidden");
      // Our own pages still work.
      const own = await api("/api/v1/customers/me", {
        baseUrl: server.url,
        method: "PATCH",
        body: { name: "Renamed here" },
        headers: { cookie, origin: server.url },
      });
      expect(own.status, name).toBe(200);
    }
  });

  it("X-Forwarded-Host and -Proto are not echoed into the webhook URL shown to the tenant", async () => {
    for (const { name, server } of servers) {
      const s = await signUp({}, server.url);
      // Plain `next start` builds the request's URL from X-Forwarded-Proto itself (on
      // Vercel the platform sets it); server.ts drops it, so `npm start` is tested with both.
      const forged: Record<string, string> =
        name === "npm start"
          ? { "x-forwarded-host": "evil.test", "x-forwarded-proto": "https" }
          : { "x-forwarded-host": "evil.test" };
      const me = await api("/api/v1/customers/me", { baseUrl: server.url, token: s.token, headers: forged });
      expect(me.body.inbound_webhook.url, name).toBe(`${server.url}/api/v1/webhook/manychat`);
      const page = await fetch(`${server.url}/dashboard/settings`, {
        headers: { cookie: cookieOf(s.res), ...forged },
      });
      expect(page.status, name).toBe(200);
      const html = await page.text();
      expect(html, name).toContain(`${server.url}/api/v1/webhook/manychat`);
      expect(html, name).not.toContain("evil.test");
    }
  });

  it.each(wrongMethods.slice(0, 3))("next start: %s %s is a 405 with the envelope", async (method, route) => {
    const next = servers[1]?.server as AppServer;
    const res = await api(route, { method, baseUrl: next.url });
    expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).not.toContain(method);
  });
});

describe("behind the trusted proxy (TRUST_PROXY=1)", () => {
  it("the proxy's X-Forwarded-Host and -Proto name the public URL", async () => {
    const s = await signUp();
    const me = await api("/api/v1/customers/me", {
      token: s.token,
      headers: { "x-forwarded-host": "answers.example.test", "x-forwarded-proto": "https" },
    });
    expect(me.body.inbound_webhook.url).toBe("https://answers.example.test/api/v1/webhook/manychat");
  });
});

// PostgreSQL only: the embedded database lives inside the server process and cannot be
// taken away on its own. Defined conditionally, so the PGlite run reports nothing skipped.
const postgresOnly = onPostgres ? describe : () => undefined;
postgresOnly("during a database outage", () => {
  const servers: { name: string; server: AppServer }[] = [];
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let proxy: ReturnType<typeof tcpProxy> | null = null;

  beforeAll(async () => {
    database = await createDatabase("pa_outage");
    const url = new URL(database.url);
    proxy = tcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await proxy.open());
    const env = {
      DATABASE_URL: url.toString(),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      MANYCHAT_API_URL: inject("manychatUrl"),
      LOG_LEVEL: "debug",
    };
    // One deployment: the session-signing key is shared (a volume, in production terms).
    const dataDir = tempDataDir("outage");
    servers.push({ name: "npm start", server: await startAppServer(env, { dataDir }) });
    servers.push({ name: "next start", server: await startAppServer(env, { dataDir, nextStart: true }) });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map(({ server }) => server.stop()));
    await proxy?.close();
    await database?.drop();
  });

  let owner: Awaited<ReturnType<typeof signUp>>;
  let secret: string;
  const privateText = `my order number is ${randomUUID()}`;

  /** The envelope of a 503 with Retry-After (soft: every request of the outage is made). */
  function expectUnavailable(res: ApiResponse, what: string) {
    expect.soft(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(503);
    expect.soft(res.body?.error?.code, what).toBe("service_unavailable");
    expect.soft(res.headers.get("x-request-id"), what).toBe(res.body?.error?.request_id);
    expect.soft(res.headers.get("retry-after"), what).toMatch(/^\d+$/);
  }

  it("a valid token, the webhook, login and logout get 503 with Retry-After, on both servers", async () => {
    const [direct, next] = servers.map((s) => s.server) as [AppServer, AppServer];
    owner = await signUp({}, direct.url);
    const me = await api("/api/v1/customers/me", { baseUrl: direct.url, token: owner.token });
    secret = me.body.inbound_webhook.secret as string;
    expect(secret).toEqual(expect.any(String));

    await proxy?.close();
    for (const server of [direct, next]) {
      const name = server === direct ? "npm start" : "next start";
      const authed = await api("/api/v1/customers/me", { baseUrl: server.url, token: owner.token });
      expectUnavailable(authed, `${name} token`);
      const hook = await postWebhook(secret, { subscriber_id: "outage-1", text: privateText }, {}, server.url);
      expectUnavailable(hook, `${name} webhook`);
      const login = await api("/api/v1/auth/login", {
        baseUrl: server.url,
        method: "POST",
        body: { email: owner.email, password: owner.password },
      });
      expectUnavailable(login, `${name} login`);
      // Logging out cannot revoke the session now: say so, rather than a 204 that did nothing.
      const logout = await api("/api/v1/auth/logout", { baseUrl: server.url, method: "POST", token: owner.token });
      expectUnavailable(logout, `${name} logout`);
    }
  });

  it("the error log holds neither the customer's message nor the secret or its hash", () => {
    const secretHash = createHash("sha256").update(secret).digest("hex");
    for (const { name, server } of servers) {
      const logs = server.logs();
      expect(logs, name).toMatch(/database unavailable/i);
      expect(logs, name).not.toContain(privateText);
      expect(logs, name).not.toContain(secretHash);
      expect(logs, name).not.toContain(secret);
      expect(logs, name).not.toContain(owner.password);
    }
  });

  it("once the database is back, the same token works without a restart", async () => {
    await proxy?.open();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await api("/api/v1/customers/me", { baseUrl: servers[0]?.server.url, token: owner.token });
      if (res.status === 200) break;
      expect(Date.now(), JSON.stringify(res.body)).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
