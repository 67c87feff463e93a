import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifySignature } from "@/lib/outbound-webhooks/signing";
import { startGeminiFake } from "../fakes/gemini";
import { startManychatFake } from "../fakes/manychat";
import { api, expectError, signUp, visitorIp } from "../support/api";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook, type Tenant, tenantWithDocument } from "../support/webhook";

// Hardening that needs a server of its own: low rate limits (per WhatsApp subscriber,
// per tenant, per API user) that must hold across processes, so on PostgreSQL two app
// processes share one database and the requests alternate between them; outbound
// events to a local receiver (allowed by OUTBOUND_WEBHOOK_ALLOW_PRIVATE, tests only),
// signed and retried; and, at LOG_LEVEL=trace, no secret in anything the servers print.

const LIMITS = { tenant: 8, subscriber: 3, api: 100 };
const GEMINI_KEY = `gemini-key-${randomUUID()}`;
const ENCRYPTION_KEY = randomBytes(32).toString("base64");

let servers: AppServer[] = [];
let database: { url: string; drop: () => Promise<void> } | null = null;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const urlOf = (i: number) => (servers[i % servers.length] as AppServer).url;

beforeAll(async () => {
  manychat = await startManychatFake();
  gemini = await startGeminiFake({ apiKey: GEMINI_KEY });
  receiver = await startReceiver();
  const env: Record<string, string> = {
    MANYCHAT_API_URL: manychat.url,
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: gemini.url,
    ENCRYPTION_KEY,
    OUTBOUND_WEBHOOK_ALLOW_PRIVATE: "1",
    WEBHOOK_RATE_LIMIT_PER_TENANT: String(LIMITS.tenant),
    WEBHOOK_RATE_LIMIT_PER_SUBSCRIBER: String(LIMITS.subscriber),
    API_RATE_LIMIT_PER_MINUTE: String(LIMITS.api),
    LOG_LEVEL: "trace",
    SWEEPER_INTERVAL_MS: "200",
    JOB_RETRY_BASE_MS: "100",
    JOB_LEASE_SECONDS: "5",
    GEMINI_RETRY_BASE_MS: "50",
  };
  if (inject("databaseUrl")) {
    database = await createDatabase("pa_hardening");
    env.DATABASE_URL = database.url;
    // Two instances of one deployment: one database, and one data folder for the
    // session-signing key and the stored files (a shared volume, in production terms).
    const dataDir = tempDataDir("hardening");
    servers.push(await startAppServer(env, { dataDir }));
    servers.push(await startAppServer(env, { dataDir }));
  } else {
    servers.push(await startAppServer(env));
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await database?.drop();
  await manychat?.close();
  await gemini?.close();
  await receiver?.close();
});

const tenantSettings = { burst_window_seconds: 0 };
async function newTenant(): Promise<Tenant> {
  return tenantWithDocument(
    [["Warranty: every Acme bike frame has a warranty of 5 years.", "Batteries are covered for 2 years."]],
    "acme-guide.pdf",
    { baseUrl: urlOf(0), settings: tenantSettings },
  );
}

/** Waits, if needed, so the next few seconds stay inside one clock minute (the tenant window). */
async function awayFromMinuteEdge() {
  const s = new Date().getUTCSeconds();
  if (s >= 48) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
}

describe("webhook rate limits", () => {
  it("per subscriber: over the limit the message is stored, answered later, and the delivery gets 429 + Retry-After", async () => {
    const t = await newTenant();
    const sub = `sub-${randomUUID()}`;
    for (let i = 0; i < LIMITS.subscriber; i++) {
      const ok = await postWebhook(t.secret, { subscriber_id: sub, text: `question ${i}` }, {}, urlOf(i));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    }
    const over = await postWebhook(
      t.secret,
      { subscriber_id: sub, text: "one too many" },
      {},
      urlOf(LIMITS.subscriber),
    );
    expectError(over, 429, "rate_limited");
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.body.error.details).toEqual({
      limit: "subscriber",
      message_id: expect.any(String),
      retry_after_seconds: retryAfter,
    });
    const storedId = over.body.error.details.message_id as string;

    // ManyChat (or anyone) retrying the same delivery is deduplicated and acknowledged.
    const retry = await postWebhook(t.secret, { subscriber_id: sub, text: "one too many" }, {}, urlOf(1));
    expect(retry.status).toBe(200);
    expect(retry.body.message_id).toBe(storedId);

    // Never lost: stored, pending, its answer due once the window has room.
    const log = await api(`/api/v1/messages?subscriber_id=${sub}`, { token: t.token, baseUrl: urlOf(0) });
    const stored = log.body.items.find((m: { id: string }) => m.id === storedId);
    expect(stored).toMatchObject({ direction: "inbound", content: "one too many", status: "pending" });
    if (database) {
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        const [job] = await sql<{ wait: number }[]>`
          select extract(epoch from (run_at - now()))::float8 as wait from jobs
          where kind = 'answer_message' and payload ->> 'message_id' = ${storedId}`;
        expect(job?.wait).toBeGreaterThan(retryAfter - 5);
      } finally {
        await sql.end();
      }
    }

    // Another subscriber of the same tenant is not affected.
    const other = await postWebhook(t.secret, { subscriber_id: `sub-${randomUUID()}`, text: "hello" }, {}, urlOf(0));
    expect(other.status).toBe(200);
  }, 60_000);

  it("per tenant: the limit counts deliveries to every process", async () => {
    const owner = await signUp({}, urlOf(0));
    const me = await api("/api/v1/customers/me", { token: owner.token, baseUrl: urlOf(0) });
    const secret = me.body.inbound_webhook.secret as string;
    await awayFromMinuteEdge();
    for (let i = 0; i < LIMITS.tenant; i++) {
      const ok = await postWebhook(secret, { subscriber_id: `s${i}-${randomUUID()}`, text: "hi" }, {}, urlOf(i));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    }
    const over = await postWebhook(secret, { subscriber_id: `late-${randomUUID()}`, text: "hi" }, {}, urlOf(1));
    expectError(over, 429, "rate_limited");
    expect(over.body.error.details).toMatchObject({ limit: "tenant", message_id: expect.any(String) });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    // Another tenant has its own budget.
    const t2 = await signUp({}, urlOf(0));
    const me2 = await api("/api/v1/customers/me", { token: t2.token, baseUrl: urlOf(0) });
    const ok = await postWebhook(me2.body.inbound_webhook.secret, { subscriber_id: "x", text: "hi" }, {}, urlOf(1));
    expect(ok.status).toBe(200);
  }, 60_000);
});

describe("API rate limit per user", () => {
  it("holds across processes, answers 429 with Retry-After, and leaves other users alone", async () => {
    const user = await signUp({}, urlOf(0));
    const statuses: number[] = [];
    for (let batch = 0; batch < LIMITS.api / 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api("/api/v1/documents", { token: user.token, baseUrl: urlOf(i) })),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const over = await api("/api/v1/customers/me", { token: user.token, baseUrl: urlOf(1) });
    expectError(over, 429, "rate_limited");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const other = await signUp({}, urlOf(0));
    expect((await api("/api/v1/customers/me", { token: other.token, baseUrl: urlOf(1) })).status).toBe(200);
  }, 60_000);
});

describe("outbound events to the tenant's webhook_url", () => {
  let t: Tenant;
  let signing: string;

  beforeAll(async () => {
    t = await newTenant();
    const saved = await api("/api/v1/customers/me", {
      token: t.token,
      baseUrl: urlOf(0),
      method: "PATCH",
      body: { webhook_url: `${receiver.url}/hooks/pdf-answers` },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    signing = saved.body.webhook_signing_secret;
  }, 60_000);

  it("message.answered: signed, with the answer and its sources, retried until the receiver takes it", async () => {
    receiver.failNext(2);
    const sub = `sub-${randomUUID()}`;
    const ack = await postWebhook(
      t.secret,
      { subscriber_id: sub, text: "How long is the frame warranty?" },
      {},
      urlOf(0),
    );
    expect(ack.status).toBe(200);
    const deliveries = await receiver.waitFor((d) => d.event?.data?.subscriber_id === sub && d.answered === 200);
    const attempts = receiver.deliveries.filter((d) => d.event?.data?.subscriber_id === sub);
    expect(attempts.map((d) => d.answered)).toEqual([500, 500, 200]);
    // One event, delivered three times: same id, same delivery header.
    expect(new Set(attempts.map((d) => d.event?.id)).size).toBe(1);
    expect(new Set(attempts.map((d) => d.headers["x-pdfanswers-delivery"])).size).toBe(1);
    for (const d of attempts) {
      expect(d.path).toBe("/hooks/pdf-answers");
      expect(d.headers["content-type"]).toBe("application/json");
      expect(verifySignature(signing, d.raw, d.headers["x-pdfanswers-signature"] as string)).toBe(true);
      expect(verifySignature(t.secret, d.raw, d.headers["x-pdfanswers-signature"] as string)).toBe(false);
    }
    expect(deliveries.event).toEqual({
      id: expect.any(String),
      type: "message.answered",
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      data: {
        subscriber_id: sub,
        message_ids: [ack.body.message_id],
        question: "How long is the frame warranty?",
        answered: true,
        mode: "generative",
        reply: {
          message_id: expect.any(String),
          content: expect.stringContaining("5 years"),
          delivery: "sent",
          sources: [expect.objectContaining({ filename: "acme-guide.pdf", page: 1 })],
          latency_ms: expect.any(Number),
        },
      },
    });
    expect(deliveries.headers["x-pdfanswers-event"]).toBe("message.answered");
  }, 60_000);

  it("message.unanswered when the documents do not cover the question", async () => {
    const sub = `sub-${randomUUID()}`;
    await postWebhook(t.secret, { subscriber_id: sub, text: "Do you repair boats on Sundays?" }, {}, urlOf(0));
    const d = await receiver.waitFor((x) => x.event?.data?.subscriber_id === sub && x.answered === 200);
    expect(d.event).toMatchObject({ type: "message.unanswered", data: { answered: false } });
    expect(verifySignature(signing, d.raw, d.headers["x-pdfanswers-signature"] as string)).toBe(true);
  }, 60_000);

  it("message.failed when the answer could not be delivered", async () => {
    manychat.setBehaviour({ fail: { error: 3011, times: 1 } });
    const sub = `sub-${randomUUID()}`;
    await postWebhook(t.secret, { subscriber_id: sub, text: "Are batteries covered?" }, {}, urlOf(0));
    const d = await receiver.waitFor((x) => x.event?.data?.subscriber_id === sub && x.answered === 200);
    expect(d.event).toMatchObject({
      type: "message.failed",
      data: { error: expect.any(String), reply: { delivery: "failed" } },
    });
    manychat.setBehaviour({ fail: null });
  }, 60_000);
});

describe("secrets never reach the logs", () => {
  it("passwords, tokens, webhook secrets, signing secrets and ManyChat keys are absent from everything printed", async () => {
    const password = `Pw-${randomUUID()}`;
    const owner = await signUp({ password }, urlOf(0));
    const wrongPassword = `Wrong-${randomUUID()}`;
    const ip = visitorIp();
    const login = (pw: string, i: number) =>
      api("/api/v1/auth/login", {
        method: "POST",
        baseUrl: urlOf(i),
        body: { email: owner.email, password: pw },
        headers: { "x-forwarded-for": ip },
      });
    expectError(await login(wrongPassword, 0), 401, "invalid_credentials");
    const ok = await login(password, 1);
    expect(ok.status).toBe(200);
    const token = ok.body.access_token as string;
    // Invalid bodies that carry the password: the error must not echo it either.
    const badJson = await api("/api/v1/auth/login", {
      method: "POST",
      baseUrl: urlOf(0),
      rawBody: `{"email":"${owner.email}","password":"${password}"`,
    });
    expectError(badJson, 400, "invalid_json");
    const badSignup = await api("/api/v1/auth/signup", {
      method: "POST",
      baseUrl: urlOf(1),
      body: { email: "not an email", password, company_name: "" },
    });
    expectError(badSignup, 422, "validation_failed");
    expect(JSON.stringify(badSignup.body)).not.toContain(password);

    const key = `${Date.now()}:tok${randomUUID().replaceAll("-", "")}`;
    const keyed = await api("/api/v1/customers/me", {
      method: "PATCH",
      token,
      baseUrl: urlOf(0),
      body: { manychat_api_key: key, webhook_url: `${receiver.url}/hooks/logs` },
    });
    expect(keyed.status, JSON.stringify(keyed.body)).toBe(200);
    const secret = keyed.body.inbound_webhook.secret as string;
    const signing = keyed.body.webhook_signing_secret as string;
    // The cookie session too, and the secret in both headers ManyChat may use.
    const cookie = await fetch(`${urlOf(1)}/api/v1/customers/me`, { headers: { cookie: `pa_session=${token}` } });
    expect(cookie.status).toBe(200);
    // Failures on the way log errors: Gemini and ManyChat each fail once, then recover.
    gemini.setBehaviour({ fail: { error: 500, times: 1 } });
    manychat.setBehaviour({ fail: { error: 500, times: 1 } });
    expect((await postWebhook(secret, { subscriber_id: "log-sub", text: "hello" }, {}, urlOf(0))).status).toBe(200);
    const bearer = await api("/api/v1/webhook/manychat", {
      method: "POST",
      baseUrl: urlOf(1),
      body: { subscriber_id: "log-sub", text: "hello again" },
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(bearer.status).toBe(200);
    const wrongSecret = `whsec_${randomUUID()}`;
    expectError(
      await postWebhook(wrongSecret, { subscriber_id: "x", text: "hi" }, {}, urlOf(0)),
      401,
      "unauthenticated",
    );
    const badToken = `eyJ${randomUUID()}`;
    expectError(await api("/api/v1/customers/me", { token: badToken, baseUrl: urlOf(0) }), 401, "unauthenticated");
    const rotated = await api("/api/v1/customers/me/webhook-secret", { method: "POST", token, baseUrl: urlOf(1) });
    const newSecret = rotated.body.inbound_webhook.secret as string;
    // Let the answer to "log-sub" (and its event) run: job logs are part of the output.
    await receiver.waitFor((d) => d.path === "/hooks/logs" && d.answered === 200, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const logout = await api("/api/v1/auth/logout", { method: "POST", token, baseUrl: urlOf(0) });
    expect(logout.status).toBe(204);

    const output = servers.map((s) => s.logs()).join("\n");
    // The capture works: request lines of this very test are in it.
    expect(output).toContain("/api/v1/auth/login");
    expect(output).toContain("/api/v1/webhook/manychat");
    const secrets = {
      password,
      wrongPassword,
      token,
      badToken,
      key,
      secret,
      newSecret,
      wrongSecret,
      signing,
      gemini: GEMINI_KEY,
      encryption: ENCRYPTION_KEY,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(output.includes(value), `${name} appears in the server output`).toBe(false);
    }
  }, 90_000);
});

interface Delivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  event: { id: string; type: string; data: { subscriber_id?: string } & Record<string, unknown> } | null;
  answered: number;
}

/** A local receiver of outbound events; failNext(n) answers 500 to the next n requests. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let event: Delivery["event"] = null;
      try {
        event = JSON.parse(raw);
      } catch {
        // recorded as is
      }
      const status = failures > 0 ? 500 : 200;
      if (failures > 0) failures--;
      deliveries.push({ path: req.url ?? "", headers: req.headers, raw, event, answered: status });
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "ok" : "try again");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    failNext: (n: number) => {
      failures = n;
    },
    waitFor: async (match: (d: Delivery) => boolean, timeoutMs = 30_000): Promise<Delivery> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = deliveries.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching delivery; got ${JSON.stringify(deliveries.map((d) => [d.path, d.event?.type]))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
