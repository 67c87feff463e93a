import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { startManychatFake } from "../fakes/manychat";
import { api } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { createDatabase } from "../support/postgres-admin";
import {
  expectRejectedAndNothingStored,
  postWebhook,
  type Received,
  sentTo,
  type Tenant,
  tenantWithDocument,
  textOf,
  waitForSends,
} from "../support/webhook";

// The rest of the suite runs `npm start` (server.ts), which serves the webhook itself.
// On Vercel, and under plain `next start`, the Next.js route serves it: the same
// contract, checked here against `next start` with its own database and fakes.
const postgres = process.env.TEST_DB === "postgres";
let database: { url: string; drop: () => Promise<void> } | null = null;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let server: AppServer;
let shop: Tenant;

beforeAll(async () => {
  gemini = await startGeminiFake();
  manychat = await startManychatFake();
  if (postgres) database = await createDatabase("pa_webhook_route");
  server = await startAppServer(
    {
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...(database ? { DATABASE_URL: database.url } : {}),
      GEMINI_API_KEY: "test-key",
      GEMINI_BASE_URL: gemini.url,
      MANYCHAT_API_URL: manychat.url,
    },
    { nextStart: true },
  );
  shop = await tenantWithDocument(
    [["Welcome to the Corner Shop."], ["Opening hours: Monday to Friday, 9am to 6pm."]],
    "shop-hours.pdf",
    { baseUrl: server.url, settings: { burst_window_seconds: 1 } },
  );
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await gemini?.close();
  await manychat?.close();
  await database?.drop();
});

it("next start: acknowledges in the v2 format, then answers once from the document, citing the page", async () => {
  const subscriber = `sub-${randomUUID()}`;
  const res = await postWebhook(
    shop.secret,
    { subscriber_id: subscriber, text: "What are your opening hours?" },
    {},
    server.url,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toMatchObject({
    version: "v2",
    content: { type: "whatsapp", messages: [{ type: "text", text: "OK, bien reçu" }], actions: [], quick_replies: [] },
    status: "accepted",
    message_id: expect.any(String),
  });
  const [send] = await waitForSends(subscriber, 1, { manychatUrl: manychat.url });
  expect(textOf(send as Received)).toMatch(/9am to 6pm/);
  expect(textOf(send as Received)).toContain("📄 shop-hours.pdf, p. 2");
  await new Promise((r) => setTimeout(r, 1000));
  expect(await sentTo(subscriber, manychat.url)).toHaveLength(1);
  const log = await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: shop.token, baseUrl: server.url });
  expect(log.body.items.map((m: { direction: string; status: string }) => [m.direction, m.status])).toEqual([
    ["outbound", "sent"],
    ["inbound", "answered"],
  ]);
});

it("next start: wrong secret → 401, garbage → 422, over 64 KB → 413, nothing stored", async () => {
  await expectRejectedAndNothingStored(shop, server.url);
});
