import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { api, signUp } from "../support/api";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { uploadPdf, waitForDocument } from "../support/documents";
import { manyPagesPdf, scannedPagePdf, textPdf } from "../support/pdf-fixtures";
import { createDatabase } from "../support/postgres-admin";

// Ingestion survives the process dying mid-way, and documents ingested without a
// Gemini key get embedded once a key is configured. Each test runs its own servers
// on one data directory (and, in the postgres project, the run's database).
const postgres = process.env.TEST_DB === "postgres";
const encryptionKey = randomBytes(32).toString("base64");
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
// A database of its own: the shared app server's sweeper must not take these jobs.
let database: { url: string; drop: () => Promise<void> } | null = null;

beforeAll(async () => {
  gemini = await startGeminiFake();
  if (postgres) database = await createDatabase("pa_recovery");
});
afterAll(async () => {
  await gemini?.close();
  await database?.drop();
});

function serverEnv(withGemini: boolean): Record<string, string> {
  return {
    ENCRYPTION_KEY: encryptionKey,
    ...(database ? { DATABASE_URL: database.url } : {}),
    JOB_LEASE_SECONDS: "2",
    SWEEPER_INTERVAL_MS: "250",
    ...(withGemini ? { GEMINI_API_KEY: "test-key", GEMINI_BASE_URL: gemini.url } : { GEMINI_API_KEY: "" }),
  };
}

/** Chunk rows of a document, read straight from the database after the server stopped. */
async function chunkRows(dataDir: string, documentId: string) {
  // A fresh copy of lib/ each time, so its configuration is read again for this data dir.
  vi.resetModules();
  const { openDirectDatabase } = await import("../support/direct-db");
  const db = await openDirectDatabase({ dataDir, databaseUrl: database?.url, encryptionKey });
  try {
    return await db.asService("test check", (tx) =>
      db.rows<{ chunk_index: number; embedded: boolean }>(
        tx,
        sql`select chunk_index, embedding is not null as embedded from document_chunks where document_id = ${documentId}`,
      ),
    );
  } finally {
    await db.closeDatabase();
  }
}

describe("ingestion recovery", () => {
  let server: AppServer | null = null;
  afterAll(async () => {
    await server?.stop();
  });

  it("a server killed during ingestion finishes the document after restart, with no duplicate chunks", async () => {
    const dataDir = tempDataDir("kill");
    // Slow embeddings keep the job in flight long enough to kill the process under it.
    gemini.setBehaviour({ latencyMs: 4000, fail: null });
    server = await startAppServer(serverEnv(true), { dataDir });
    const owner = await signUp({}, server.url);
    const up = await uploadPdf(owner.token, manyPagesPdf(60), "catalogue.pdf", server.url);
    expect(up.status).toBe(202);
    const id = up.body.document.id as string;
    const deadline = Date.now() + 30_000;
    while (!gemini.requests.some((r) => r.method === "batchEmbedContents")) {
      if (Date.now() > deadline) throw new Error("ingestion never reached the embedding stage");
      await new Promise((r) => setTimeout(r, 50));
    }
    const during = await api(`/api/v1/documents/${id}`, { token: owner.token, baseUrl: server.url });
    expect(during.body.status).toBe("processing");
    await server.crash();

    gemini.setBehaviour({ latencyMs: 0 });
    server = await startAppServer(serverEnv(true), { dataDir });
    const { doc } = await waitForDocument(owner.token, id, { baseUrl: server.url, timeoutMs: 60_000 });
    expect(doc).toMatchObject({ status: "processed", page_count: 60 });
    await server.stop();
    server = null;
    const chunks = await chunkRows(dataDir, id);
    expect(chunks).toHaveLength(doc.chunk_count);
    expect(new Set(chunks.map((c) => c.chunk_index)).size).toBe(chunks.length);
    expect(chunks.every((c) => c.embedded)).toBe(true);
  });
});

describe("without a Gemini key", () => {
  it("documents get full-text chunks and scan warnings; a key later backfills embeddings", async () => {
    const dataDir = tempDataDir("nokey");
    gemini.reset();
    const first = await startAppServer(serverEnv(false), { dataDir });
    let id: string;
    try {
      const owner = await signUp({}, first.url);
      const up = await uploadPdf(owner.token, textPdf(["The X200 warranty lasts 5 years."]), "warranty.pdf", first.url);
      const { doc } = await waitForDocument(owner.token, up.body.document.id, { baseUrl: first.url });
      expect(doc).toMatchObject({ status: "processed", chunk_count: 1 });
      id = doc.id;
      const scan = await uploadPdf(owner.token, scannedPagePdf(), "scan.pdf", first.url);
      const { doc: scanned } = await waitForDocument(owner.token, scan.body.document.id, { baseUrl: first.url });
      expect(scanned.status).toBe("processed");
      expect(scanned.warnings).toEqual([expect.stringMatching(/Page 2 has no selectable text .*OCR with Gemini/)]);
      expect(gemini.requests).toHaveLength(0);
    } finally {
      await first.stop();
    }
    expect((await chunkRows(dataDir, id)).map((c) => c.embedded)).toEqual([false]);

    const second = await startAppServer(serverEnv(true), { dataDir });
    try {
      const deadline = Date.now() + 30_000;
      while (!JSON.stringify(gemini.requests).includes("X200 warranty")) {
        if (Date.now() > deadline) throw new Error("no embedding backfill happened");
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await second.stop();
    }
    expect((await chunkRows(dataDir, id)).map((c) => c.embedded)).toEqual([true]);
  });
});
