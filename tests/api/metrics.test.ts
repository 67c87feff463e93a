import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, expectError, signUp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook, setFake, type Tenant, tenantWithDocument, waitForSends } from "../support/webhook";

// GET /metrics after real traffic: the webhook (server.ts's direct path under `npm start`,
// the Next.js route under WEBHOOK_DIRECT=off), API calls, an ingestion job, an answer job
// whose first attempt fails, Gemini and ManyChat errors. Every metric of the issue is
// found with values the traffic explains.
const TOKEN = "test-metrics-token"; // METRICS_TOKEN of the shared server (tests/support/global-setup.ts)

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  find(samples, name, labels).reduce((sum, s) => sum + s.value, 0);

async function scrape(baseUrl?: string, token: string | null = TOKEN) {
  const res = await fetch(`${baseUrl ?? inject("baseUrl")}/api/v1/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe("GET /metrics (npm start: the webhook served by server.ts)", () => {
  let shop: Tenant;
  let documentId: string;
  let subscriber: string;

  beforeAll(async () => {
    shop = await tenantWithDocument(
      [["Delivery: orders ship within 2 working days."], ["Returns are accepted within 30 days."]],
      "metrics-shop.pdf",
      { settings: { burst_window_seconds: 0 } },
    );
    documentId = (await api("/api/v1/documents", { token: shop.token })).body.items[0].id;
    // The answer's first attempt fails (Gemini 503 three times = GEMINI_MAX_ATTEMPTS), the
    // job retries and succeeds; ManyChat fails its first send once, which its client retries.
    await setFake(inject("geminiUrl"), { fail: { error: 503, times: 3, method: "generateContent" } });
    await setFake(inject("manychatUrl"), { fail: { error: 500, times: 1 } });
    subscriber = `sub-${randomUUID()}`;
    const res = await postWebhook(shop.secret, { subscriber_id: subscriber, text: "When do orders ship?" });
    expect(res.status).toBe(200);
    // ManyChat's fake records the refused send too: the second one is the delivery.
    await waitForSends(subscriber, 2, { timeoutMs: 30_000 });
    // The job records its outcome just after the delivery: wait for it.
    const deadline = Date.now() + 15_000;
    while (total(await scrape(), "job_duration_seconds_count", { kind: "answer_message", outcome: "done" }) < 1) {
      if (Date.now() > deadline) throw new Error("the answer job never completed");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await api(`/api/v1/documents/${documentId}`, { token: shop.token })).status).toBe(200);
    expect((await api(`/api/v1/documents/${randomUUID()}`, { token: shop.token })).status).toBe(404);
  }, 90_000);
  afterAll(async () => {
    await setFake(inject("geminiUrl"), { fail: null });
    await setFake(inject("manychatUrl"), { fail: null });
  });

  it("refuses a scrape without the token, or with a wrong one, in the error envelope", async () => {
    expectError(await api("/api/v1/metrics"), 401, "unauthenticated");
    expectError(await api("/api/v1/metrics", { token: "wrong" }), 401, "unauthenticated");
  });

  it("HTTP latency by route pattern, method and status (never a raw id)", async () => {
    const s = await scrape();
    const route = "/api/v1/documents/[id]";
    expect(total(s, "http_request_duration_seconds_count", { route, method: "GET", status: "200" })).toBeGreaterThan(0);
    expect(total(s, "http_request_duration_seconds_count", { route, method: "GET", status: "404" })).toBeGreaterThan(0);
    expect(
      total(s, "http_request_duration_seconds_count", { route: "/api/v1/auth/signup", status: "201" }),
    ).toBeGreaterThan(0);
    // The direct webhook path counts like any API request.
    expect(
      total(s, "http_request_duration_seconds_count", { route: "/api/v1/webhook/manychat", status: "200" }),
    ).toBeGreaterThan(0);
    const routes = new Set(find(s, "http_request_duration_seconds_count").map((x) => x.labels.route));
    for (const r of routes) expect(r).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    // Histogram: cumulative buckets ending with +Inf = count, a plausible sum.
    const buckets = find(s, "http_request_duration_seconds_bucket", { route, method: "GET", status: "200" });
    const inf = buckets.find((b) => b.labels.le === "+Inf")?.value;
    expect(inf).toBe(total(s, "http_request_duration_seconds_count", { route, method: "GET", status: "200" }));
    const sum = total(s, "http_request_duration_seconds_sum", { route, method: "GET", status: "200" });
    expect(sum).toBeGreaterThan(0);
    expect(sum / (inf as number)).toBeLessThan(5);
  });

  it("webhook acknowledgement latency of the direct path", async () => {
    const s = await scrape();
    const acks = total(s, "webhook_ack_duration_seconds_count", { server: "direct", status: "200" });
    expect(acks).toBeGreaterThan(0);
    const sum = total(s, "webhook_ack_duration_seconds_sum", { server: "direct", status: "200" });
    expect(sum / acks).toBeLessThan(1); // the budget is well under a second
  });

  it("job queue depth by state and kind, and the oldest due job's age, read from the database", async () => {
    // A message waiting out a 30 s burst window is a queued job that is not due yet. Its
    // tenant has no ManyChat key, so when it runs (after this file) it sends nothing.
    const idle = await signUp();
    const me = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: idle.token,
      body: { settings: { burst_window_seconds: 30 } },
    });
    expect(me.status).toBe(200);
    const res = await postWebhook(me.body.inbound_webhook.secret, { subscriber_id: `sub-${randomUUID()}`, text: "hi" });
    expect(res.status).toBe(200);
    const s = await scrape();
    for (const kind of ["answer_message", "ingest_document", "embed_chunks"]) {
      for (const state of ["queued", "due", "running"]) {
        expect(find(s, "jobs_queue_depth", { kind, state }), `${state} ${kind}`).toHaveLength(1);
      }
    }
    expect(total(s, "jobs_queue_depth", { kind: "answer_message", state: "queued" })).toBeGreaterThanOrEqual(1);
    const [age] = find(s, "jobs_oldest_due_age_seconds");
    expect(age?.value).toBeGreaterThanOrEqual(0);
    expect(age?.value).toBeLessThan(3600);
  });

  it("job durations and failures: the answer's failed attempt, then success", async () => {
    const s = await scrape();
    expect(total(s, "job_failures_total", { kind: "answer_message", final: "false" })).toBeGreaterThanOrEqual(1);
    expect(total(s, "job_duration_seconds_count", { kind: "answer_message", outcome: "retry" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(total(s, "job_duration_seconds_count", { kind: "answer_message", outcome: "done" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(total(s, "job_duration_seconds_count", { kind: "ingest_document", outcome: "done" })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it("Gemini and ManyChat call latency and errors by status, and tokens used", async () => {
    const s = await scrape();
    expect(total(s, "gemini_request_duration_seconds_count", { op: "embed", status: "200" })).toBeGreaterThan(0);
    expect(total(s, "gemini_request_duration_seconds_count", { op: "generate", status: "200" })).toBeGreaterThan(0);
    expect(total(s, "gemini_request_errors_total", { op: "generate", status: "503" })).toBeGreaterThanOrEqual(3);
    expect(total(s, "gemini_request_duration_seconds_count", { op: "generate", status: "503" })).toBeGreaterThanOrEqual(
      3,
    );
    expect(total(s, "gemini_tokens_total", { op: "generate", type: "prompt" })).toBeGreaterThan(0);
    expect(total(s, "gemini_tokens_total", { op: "generate", type: "output" })).toBeGreaterThan(0);
    const send = "/fb/sending/sendContent";
    expect(total(s, "manychat_request_duration_seconds_count", { endpoint: send, status: "200" })).toBeGreaterThan(0);
    expect(total(s, "manychat_request_errors_total", { endpoint: send, status: "500" })).toBeGreaterThanOrEqual(1);
    expect(total(s, "manychat_request_duration_seconds_count", { endpoint: "/fb/page/getInfo" })).toBeGreaterThan(0);
    // Successful calls are not errors.
    expect(find(s, "manychat_request_errors_total", { status: "200" })).toHaveLength(0);
  });

  it("process metrics of Node.js", async () => {
    const s = await scrape();
    expect(total(s, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(find(s, "nodejs_eventloop_lag_seconds")).toHaveLength(1);
  });
});

// On Vercel (and under WEBHOOK_DIRECT=off) the Next.js route acknowledges the webhook.
// Without METRICS_TOKEN the scrape needs no token.
describe("GET /metrics (WEBHOOK_DIRECT=off: the webhook served by the Next.js route)", () => {
  const postgres = process.env.TEST_DB === "postgres";
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let server: AppServer;

  beforeAll(async () => {
    if (postgres) database = await createDatabase("pa_metrics_next");
    server = await startAppServer({
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...(database ? { DATABASE_URL: database.url } : {}),
      MANYCHAT_API_URL: "http://127.0.0.1:9",
      WEBHOOK_DIRECT: "off",
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("counts the acknowledgement under server=next, wrong secrets under their status", async () => {
    const owner = await signUp({}, server.url);
    const me = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: owner.token,
      baseUrl: server.url,
      body: { settings: { burst_window_seconds: 30 } },
    });
    const secret = me.body.inbound_webhook.secret as string;
    for (let i = 0; i < 3; i++) {
      const res = await postWebhook(
        secret,
        { subscriber_id: `sub-${randomUUID()}`, text: `hello ${i}` },
        {},
        server.url,
      );
      expect(res.status).toBe(200);
    }
    expect((await postWebhook("whsec_wrong", { subscriber_id: "x", text: "hi" }, {}, server.url)).status).toBe(401);
    const s = await scrape(server.url, null);
    expect(total(s, "webhook_ack_duration_seconds_count", { server: "next", status: "200" })).toBe(3);
    expect(total(s, "webhook_ack_duration_seconds_count", { server: "next", status: "401" })).toBe(1);
    expect(find(s, "webhook_ack_duration_seconds_count", { server: "direct" })).toHaveLength(0);
    expect(total(s, "jobs_queue_depth", { kind: "answer_message", state: "queued" })).toBe(3);
  });
});
