import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { startManychatFake } from "../fakes/manychat";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook, type Received, sentTo, tenantWithDocument, textOf, waitForSends } from "../support/webhook";

// The process dies after acknowledging a WhatsApp message and before answering it:
// after a restart the answer is delivered, exactly once. Own servers and database, so
// the shared app server's sweeper cannot take the job.
const postgres = process.env.TEST_DB === "postgres";
let database: { url: string; drop: () => Promise<void> } | null = null;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let server: AppServer | null = null;

beforeAll(async () => {
  gemini = await startGeminiFake();
  manychat = await startManychatFake();
  if (postgres) database = await createDatabase("pa_webhook_kill");
});
afterAll(async () => {
  await server?.stop();
  await gemini?.close();
  await manychat?.close();
  await database?.drop();
});

it("SIGKILL after the acknowledgement: the answer is delivered exactly once after restart", async () => {
  const dataDir = tempDataDir("webhook-kill");
  const env = {
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...(database ? { DATABASE_URL: database.url } : {}),
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: gemini.url,
    MANYCHAT_API_URL: manychat.url,
    JOB_LEASE_SECONDS: "2",
    SWEEPER_INTERVAL_MS: "250",
  };
  server = await startAppServer(env, { dataDir });
  const shop = await tenantWithDocument([["Opening hours: Monday to Friday, 9am to 6pm."]], "hours.pdf", {
    baseUrl: server.url,
    settings: { burst_window_seconds: 2 },
  });
  const subscriber = `sub-${randomUUID()}`;
  const ack = await postWebhook(
    shop.secret,
    { subscriber_id: subscriber, text: "What are your opening hours?" },
    {},
    server.url,
  );
  expect(ack.status).toBe(200);
  await server.crash(); // inside the burst window: the answer was not produced yet
  expect(await sentTo(subscriber, manychat.url)).toHaveLength(0);

  server = await startAppServer(env, { dataDir });
  const [send] = await waitForSends(subscriber, 1, { manychatUrl: manychat.url, timeoutMs: 30_000 });
  expect(textOf(send as Received)).toMatch(/9am to 6pm/);
  await new Promise((r) => setTimeout(r, 3000));
  expect(await sentTo(subscriber, manychat.url)).toHaveLength(1);
}, 120_000);
