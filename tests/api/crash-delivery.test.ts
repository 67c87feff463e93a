import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { startManychatFake } from "../fakes/manychat";
import { api } from "../support/api";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook, tenantWithDocument } from "../support/webhook";

// The process is killed while the answers to 50 customers are being sent to ManyChat.
// After the restart every customer has the answer, at most one of them got it twice (the
// send that was in flight), a resent reply is the same text (never a new answer), and the
// replies resume within 15 s with the production lease and sweeper settings. Own server
// and database, so the shared app server's sweeper cannot take the jobs.
const postgres = process.env.TEST_DB === "postgres";
const CUSTOMERS = 50;
/** ManyChat's answer time, so that a send is in flight when the process dies. */
const MANYCHAT_LATENCY_MS = 300;

let database: { url: string; drop: () => Promise<void> } | null = null;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let server: AppServer | null = null;

beforeAll(async () => {
  gemini = await startGeminiFake();
  manychat = await startManychatFake();
  if (postgres) database = await createDatabase("pa_crash_delivery");
});
afterAll(async () => {
  await server?.stop();
  await gemini?.close();
  await manychat?.close();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

it("SIGKILL mid-delivery of 50 answers: every customer answered, at most one twice, resumed within 15 s", async () => {
  const dataDir = tempDataDir("crash-delivery");
  // JOB_LEASE_SECONDS and SWEEPER_INTERVAL_MS keep their production defaults: the recovery
  // time measured below is the one a deployment gets.
  const env = {
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...(database ? { DATABASE_URL: database.url } : {}),
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: gemini.url,
    MANYCHAT_API_URL: manychat.url,
  };
  server = await startAppServer(env, { dataDir });
  const shop = await tenantWithDocument([["Opening hours: Monday to Friday, 9am to 6pm."]], "hours.pdf", {
    baseUrl: server.url,
    settings: { burst_window_seconds: 0 },
  });
  manychat.setBehaviour({ latencyMs: MANYCHAT_LATENCY_MS });
  const base = 700_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
  const subscribers = Array.from({ length: CUSTOMERS }, (_, i) => String(base + i));
  const sendsTo = () => {
    const counts = manychat.sendsBySubscriber();
    return subscribers.map((s) => counts.get(s) ?? 0);
  };
  const total = () => sendsTo().reduce((a, b) => a + b, 0);

  const acks = await Promise.all(
    subscribers.map((id) =>
      postWebhook(shop.secret, { subscriber_id: id, text: "What are your opening hours?" }, {}, server?.url),
    ),
  );
  expect(acks.map((a) => a.status)).toEqual(subscribers.map(() => 200));

  // Killed while replies are going out: some sent, one arriving at ManyChat right now.
  await until("the first replies", 60_000, () => total() >= 5);
  await server.crash();
  const crashedAt = Date.now();
  const beforeCrash = total();
  expect(beforeCrash).toBeGreaterThanOrEqual(5);
  expect(beforeCrash).toBeLessThan(CUSTOMERS);
  // An answer generated now would read differently: a resent reply must not.
  gemini.setBehaviour({ generate: { text: "A different answer, generated after the restart." } });

  const restartedAt = Date.now();
  server = await startAppServer(env, { dataDir });
  const bootMs = Date.now() - restartedAt;
  const firstAfter = await until("a reply after the restart", 60_000, () =>
    manychat.calls("sendContent").find((r) => Date.parse(r.at) > crashedAt),
  );
  const resumedMs = Date.parse(firstAfter.at) - restartedAt;

  await until("a reply to every customer", 120_000, () => sendsTo().every((n) => n >= 1));
  const doneMs = Date.now() - restartedAt;
  await sleep(3000); // a late duplicate would show up here
  const counts = sendsTo();
  const duplicates = counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  console.log(
    `[crash-delivery ${postgres ? "postgres" : "pglite"}] sent before the kill: ${beforeCrash}/${CUSTOMERS}; ` +
      `restart to healthy: ${bootMs} ms; restart to first reply: ${resumedMs} ms; ` +
      `restart to every reply: ${doneMs} ms; duplicates: ${duplicates}`,
  );
  expect(duplicates).toBeLessThanOrEqual(1);
  expect(resumedMs).toBeLessThan(15_000);

  // A reply that went out twice is the same text both times.
  for (const [i, n] of counts.entries()) {
    if (n < 2) continue;
    const texts = manychat
      .calls("sendContent")
      .filter((r) => String((r.body as { subscriber_id: unknown }).subscriber_id) === subscribers[i])
      .map((r) => JSON.stringify((r.body as { data: unknown }).data));
    expect(new Set(texts).size).toBe(1);
  }

  // The conversation log: each question answered, one reply each, recorded as sent.
  const log = await api(`/api/v1/messages?limit=200`, { token: shop.token, baseUrl: server.url });
  expect(log.status).toBe(200);
  const items = log.body.items as { direction: string; status: string; subscriber_id: string }[];
  const inbound = items.filter((m) => m.direction === "inbound");
  const outbound = items.filter((m) => m.direction === "outbound");
  expect(inbound).toHaveLength(CUSTOMERS);
  expect(inbound.filter((m) => m.status !== "answered" && m.status !== "unanswered")).toEqual([]);
  expect(outbound.map((m) => m.subscriber_id).sort()).toEqual([...subscribers].sort());
  expect(outbound.filter((m) => m.status !== "sent")).toEqual([]);
}, 300_000);
