import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { api, signUp } from "../support/api";
import { type AppServer, freePort, startAppServer } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook } from "../support/webhook";

// The server's own output, as an operator's log pipeline receives it: JSON lines, one
// "request" line per API request with its id, route pattern, status, duration and the
// tenant when known (the direct webhook path of server.ts included), errors as objects
// with their cause, and no secret anywhere.
const postgres = process.env.TEST_DB === "postgres";
let database: { url: string; drop: () => Promise<void> } | null = null;
let server: AppServer;

beforeAll(async () => {
  if (postgres) database = await createDatabase("pa_logs");
  server = await startAppServer({
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...(database ? { DATABASE_URL: database.url } : {}),
    // Nothing listens there: verifying the ManyChat key fails with a cause (ECONNREFUSED).
    MANYCHAT_API_URL: `http://127.0.0.1:${await freePort()}`,
    LOG_LEVEL: "info",
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

type Line = Record<string, any>;
const lines = (): Line[] =>
  server
    .logs()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
const requestLine = (requestId: string) => lines().find((l) => l.msg === "request" && l.request_id === requestId);

it("logs every request as a JSON line with id, route, status, duration and tenant; never a secret", async () => {
  const owner = await signUp({}, server.url);
  const manychatKey = `123456:${randomBytes(12).toString("hex")}`;
  const patched = await api("/api/v1/customers/me", {
    method: "PATCH",
    token: owner.token,
    baseUrl: server.url,
    headers: { "x-request-id": "req-logs-patch-01" },
    body: { manychat_api_key: manychatKey, settings: { burst_window_seconds: 30 } },
  });
  expect(patched.status).toBe(200);
  const tenantId = patched.body.id as string;
  const secret = patched.body.inbound_webhook.secret as string;
  const ack = await postWebhook(
    secret,
    { subscriber_id: `sub-${randomUUID()}`, text: "hello" },
    { "x-request-id": "req-logs-webhook-01" },
    server.url,
  );
  expect(ack.status).toBe(200);
  const missing = await api(`/api/v1/documents/${randomUUID()}`, {
    token: owner.token,
    baseUrl: server.url,
    headers: { "x-request-id": "req-logs-missing-01" },
  });
  expect(missing.status).toBe(404);
  await new Promise((r) => setTimeout(r, 200));

  // Every line the app writes is JSON; the rest is Next.js's own start-up notice.
  const raw = server.logs();
  const other = raw.split("\n").filter((x) => x.trim() && !x.startsWith("{"));
  for (const l of other) expect(l).toMatch(/^\s*[✓⚠▲-] /);
  expect(lines().length).toBeGreaterThan(5);

  expect(requestLine("req-logs-patch-01")).toMatchObject({
    level: 30,
    method: "PATCH",
    route: "/api/v1/customers/me",
    status: 200,
    ms: expect.any(Number),
    tenant_id: tenantId,
    time: expect.any(String),
  });
  // server.ts's direct path: the tenant comes from the webhook secret.
  expect(requestLine("req-logs-webhook-01")).toMatchObject({
    method: "POST",
    route: "/api/v1/webhook/manychat",
    status: 200,
    tenant_id: tenantId,
  });
  expect(requestLine("req-logs-missing-01")).toMatchObject({
    route: "/api/v1/documents/[id]",
    path: expect.stringMatching(/^\/api\/v1\/documents\/[0-9a-f-]{36}$/),
    status: 404,
    tenant_id: tenantId,
  });
  const signup = lines().find((l) => l.msg === "request" && l.route === "/api/v1/auth/signup");
  expect(signup).toMatchObject({ status: 201, request_id: expect.any(String) });
  expect(signup?.tenant_id).toBeUndefined();

  // An error is logged as an object with its cause (fetch's "fetch failed" → ECONNREFUSED).
  const unreachable = lines().find((l) => l.msg === "ManyChat unreachable while verifying a key");
  expect(unreachable?.err).toMatchObject({ type: expect.any(String), message: expect.stringMatching(/ECONNREFUSED/) });
  expect(unreachable?.err.stack).toMatch(/caused by/i);

  // No secret, anywhere in the output.
  for (const value of [owner.password, owner.token, manychatKey, secret]) expect(raw).not.toContain(value);
});
