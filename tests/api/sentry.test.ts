import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { type SentryFake, startSentryFake } from "../fakes/sentry";
import { signUp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { uploadPdf, waitForDocument } from "../support/documents";
import { textPdf } from "../support/pdf-fixtures";
import { createDatabase } from "../support/postgres-admin";
import { setFake } from "../support/webhook";

// Errors inside after() callbacks are only logged by Next.js: the app reports them to
// Sentry itself (lib/report-error.ts). Here a real after() callback fails: the upload
// route runs the ingestion job in after(), and Gemini refuses the embeddings for good
// (HTTP 400), so the job fails permanently on its first attempt. The sweeper is slowed
// to 10 minutes, so the report can only come from the after() callback. The DSN points
// at a local Sentry-compatible endpoint (tests/fakes/sentry.ts).
const postgres = process.env.TEST_DB === "postgres";
let database: { url: string; drop: () => Promise<void> } | null = null;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let sentry: SentryFake;
let server: AppServer;

beforeAll(async () => {
  sentry = await startSentryFake();
  gemini = await startGeminiFake();
  if (postgres) database = await createDatabase("pa_sentry");
  server = await startAppServer({
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...(database ? { DATABASE_URL: database.url } : {}),
    GEMINI_API_KEY: "test-gemini-key-do-not-leak",
    GEMINI_BASE_URL: gemini.url,
    GEMINI_MAX_ATTEMPTS: "1",
    MANYCHAT_API_URL: "http://127.0.0.1:9",
    SWEEPER_INTERVAL_MS: "600000",
    SENTRY_DSN: sentry.dsn,
    SENTRY_ENVIRONMENT: "test",
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await gemini?.close();
  await sentry?.close();
  await database?.drop();
});

it("a job failing for good inside after() reaches Sentry, tagged, without secrets", async () => {
  const owner = await signUp({}, server.url);
  await setFake(gemini.url, { fail: { error: 400, method: "batchEmbedContents" } });
  const up = await uploadPdf(owner.token, textPdf([["Opening hours: 9am to 6pm."]]), "hours.pdf", server.url);
  expect(up.status).toBe(202);
  const documentId = up.body.document.id as string;
  const { doc } = await waitForDocument(owner.token, documentId, { baseUrl: server.url });
  expect(doc.status).toBe("failed");

  const event = await sentry.waitForEvent((e) => e.tags?.job_kind === "ingest_document");
  expect(event.tags).toMatchObject({ where: "job", job_kind: "ingest_document", attempts: "1" });
  expect(event.tags?.job_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(event.environment).toBe("test");
  const exception = event.exception?.values?.at(-1);
  expect(exception?.type).toBe("PermanentJobError");
  expect(exception?.value).toMatch(/Gemini rejected the request \(HTTP 400\)/);
  // Nothing secret leaves the process: not the Gemini key, not the user's token.
  const raw = JSON.stringify(event);
  expect(raw).not.toContain("test-gemini-key-do-not-leak");
  expect(raw).not.toContain(owner.token);
  expect(raw).not.toContain(owner.password);
});

it("a client error (4xx) is not reported", async () => {
  const before = sentry.events.length;
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "" }),
  });
  expect(res.status).toBe(422);
  await new Promise((r) => setTimeout(r, 500));
  expect(sentry.events.length).toBe(before);
});
