import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { SupabaseStorageFake } from "../fakes/supabase-storage";
import { api, expectError, signUp } from "../support/api";
import { type AppServer, startAppServer } from "../support/app-server";
import { waitForDocument } from "../support/documents";
import { factText, textPdf, truncatedPdf } from "../support/pdf-fixtures";
import { createDatabase } from "../support/postgres-admin";

// Direct-upload URLs are single-use and bound to what was declared for them. First the
// embedded storage (the shared server: the app's own PUT /api/v1/storage/upload), then
// Supabase Storage (a server of its own against the Storage fake), where the URL cannot
// be revoked and the app measures and cleans up instead.
const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

type Reserved = { document_id: string; upload_url: string; method: string; headers: Record<string, string> };

async function reserve(token: string, filename: string, size: number, baseUrl?: string): Promise<Reserved> {
  const res = await api("/api/v1/documents/upload-url", {
    method: "POST",
    token,
    baseUrl,
    body: { filename, size_bytes: size },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A PUT as a browser or script would send it; the answer's JSON envelope when there is one. */
async function put(url: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/pdf", ...headers },
    body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // an empty 200
  }
  return { status: res.status, body: json, headers: res.headers };
}

const complete = (token: string, id: string, baseUrl?: string) =>
  api(`/api/v1/documents/${id}/complete`, { method: "POST", token, baseUrl });

/** Bytes of a PDF, and other bytes of exactly the same length (not a PDF). */
const sameSizeText = (n: number) => new Uint8Array(Buffer.alloc(n, "replaced with plain text. "));

describe("signed upload URLs (embedded storage)", () => {
  let owner: Awaited<ReturnType<typeof signUp>>;
  const stored = (id: string) => path.join(inject("serverDataDir"), "files", owner.customer.id, `${id}.pdf`);
  const tenantFolder = () => path.join(inject("serverDataDir"), "files", owner.customer.id);
  const filesOnDisk = () => (fs.existsSync(tenantFolder()) ? fs.readdirSync(tenantFolder()) : []);

  beforeAll(async () => {
    owner = await signUp({ company_name: "Upload URLs SARL" });
  });

  it("a URL stops working once used: after complete, a second PUT (text, 19 MB) is refused and the checked file stays", async () => {
    const bytes = textPdf([factText(1)]);
    const url = await reserve(owner.token, "checked.pdf", bytes.byteLength);
    expect((await put(url.upload_url, bytes, url.headers)).status).toBe(200);
    expect((await complete(owner.token, url.document_id)).status).toBe(202);
    const { doc } = await waitForDocument(owner.token, url.document_id);
    expect(doc).toMatchObject({ status: "processed", size_bytes: bytes.byteLength });

    const swapped = await put(url.upload_url, sameSizeText(bytes.byteLength), url.headers);
    expectError(swapped as never, 409, "conflict");
    expect(swapped.body.error.message).toMatch(/already used/);
    // A 19 MB body on the same URL: refused before anything is stored.
    const big = await put(url.upload_url, new Uint8Array(19 * MiB), url.headers);
    expectError(big as never, 413, "payload_too_large");

    const onDisk = fs.readFileSync(stored(url.document_id));
    expect(sha(onDisk)).toBe(sha(bytes));
    // The plan counts what is stored, and what is stored is what was checked.
    const usage = await api("/api/v1/billing/usage", { token: owner.token });
    expect(usage.body.storage_used_bytes).toBe(onDisk.byteLength);
  });

  it("a URL works once even before complete: a second PUT cannot swap the bytes", async () => {
    const bytes = textPdf([factText(2)]);
    const url = await reserve(owner.token, "once.pdf", bytes.byteLength);
    expect((await put(url.upload_url, bytes, url.headers)).status).toBe(200);
    const again = await put(url.upload_url, sameSizeText(bytes.byteLength), url.headers);
    expectError(again as never, 409, "conflict");
    expect(sha(fs.readFileSync(stored(url.document_id)))).toBe(sha(bytes));
    expect((await complete(owner.token, url.document_id)).status).toBe(202);
    expect((await waitForDocument(owner.token, url.document_id)).doc.status).toBe("processed");
  });

  it("after the document is deleted, its URL is refused and leaves no file", async () => {
    const before = filesOnDisk();
    const bytes = textPdf([factText(3)]);
    const url = await reserve(owner.token, "deleted.pdf", bytes.byteLength);
    expect((await api(`/api/v1/documents/${url.document_id}`, { method: "DELETE", token: owner.token })).status).toBe(
      204,
    );
    const late = await put(url.upload_url, bytes, url.headers);
    expectError(late as never, 404, "not_found");
    expect(fs.existsSync(stored(url.document_id))).toBe(false);
    expect(filesOnDisk()).toEqual(before);

    // Uploaded, then deleted before complete: the file goes, and the URL does not bring it back.
    const other = textPdf([factText(4)]);
    const url2 = await reserve(owner.token, "deleted-2.pdf", other.byteLength);
    expect((await put(url2.upload_url, other, url2.headers)).status).toBe(200);
    expect(fs.existsSync(stored(url2.document_id))).toBe(true);
    expect((await api(`/api/v1/documents/${url2.document_id}`, { method: "DELETE", token: owner.token })).status).toBe(
      204,
    );
    expectError((await put(url2.upload_url, other, url2.headers)) as never, 404, "not_found");
    expect(fs.existsSync(stored(url2.document_id))).toBe(false);
  });

  it("a body of another size or type than declared is refused with the envelope; the URL still works after", async () => {
    const bytes = textPdf([factText(5)]);
    const url = await reserve(owner.token, "declared.pdf", bytes.byteLength);
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expectError((await put(url.upload_url, longer, url.headers)) as never, 413, "payload_too_large");
    const shorter = await put(url.upload_url, bytes.subarray(0, bytes.byteLength - 1), url.headers);
    expectError(shorter as never, 422, "validation_failed");
    expect(shorter.body.error.message).toContain(String(bytes.byteLength));
    const wrongType = await put(url.upload_url, bytes, { "content-type": "text/plain" });
    expectError(wrongType as never, 415, "unsupported_media_type");
    // A streamed body declares no length: counted as it arrives (a few bytes over, so the
    // whole body is sent before the 413 and the connection is not reset under it).
    const streamed = await fetch(url.upload_url, {
      method: "PUT",
      headers: { "content-type": "application/pdf" },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(bytes));
          c.enqueue(new Uint8Array(8));
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(fs.existsSync(stored(url.document_id))).toBe(false);

    expect((await put(url.upload_url, bytes, url.headers)).status).toBe(200);
    expect((await complete(owner.token, url.document_id)).status).toBe(202);
    expect((await waitForDocument(owner.token, url.document_id)).doc).toMatchObject({
      status: "processed",
      size_bytes: bytes.byteLength,
    });
  });

  it("an expired URL is refused, though correctly signed", async () => {
    const bytes = textPdf([factText(6)]);
    const url = await reserve(owner.token, "expired.pdf", bytes.byteLength);
    const token = new URL(url.upload_url).searchParams.get("token") as string;
    const payload = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString("utf8"));
    // Sign with the server's key, as the server would, a copy expired a second ago.
    vi.resetModules();
    process.env.ENCRYPTION_KEY = inject("encryptionKey");
    const { hmacSign } = await import("@/lib/crypto/secret-box");
    const sign = (p: object) => {
      const body = Buffer.from(JSON.stringify(p)).toString("base64url");
      return `${body}.${hmacSign("storage-upload", body)}`;
    };
    const withToken = (t: string) => {
      const u = new URL(url.upload_url);
      u.searchParams.set("token", t);
      return u.toString();
    };
    const expired = await put(withToken(sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 1 })), bytes);
    expectError(expired as never, 401, "unauthenticated");
    expect(expired.body.error.message).toMatch(/expired/);
    expect(fs.existsSync(stored(url.document_id))).toBe(false);
    // The same grant re-signed with a later expiry is accepted: expiry was the only difference.
    expect((await put(withToken(sign(payload)), bytes)).status).toBe(200);
  });

  it("the plan counts stored bytes: an unreadable PDF completed through a URL keeps no file and counts nothing", async () => {
    const tenant = await signUp({ company_name: "Quota SARL" });
    const folder = path.join(inject("serverDataDir"), "files", tenant.customer.id);
    const good = textPdf([factText(7)]);
    const a = await reserve(tenant.token, "good.pdf", good.byteLength);
    await put(a.upload_url, good, a.headers);
    expect((await complete(tenant.token, a.document_id)).status).toBe(202);
    const broken = truncatedPdf();
    const b = await reserve(tenant.token, "broken.pdf", broken.byteLength);
    await put(b.upload_url, broken, b.headers);
    await complete(tenant.token, b.document_id);
    expect((await waitForDocument(tenant.token, b.document_id)).doc.status).toBe("failed");
    await waitForDocument(tenant.token, a.document_id);

    const onDisk = fs.readdirSync(folder).map((f) => fs.statSync(path.join(folder, f)).size);
    expect(onDisk).toEqual([good.byteLength]);
    const usage = await api("/api/v1/billing/usage", { token: tenant.token });
    expect(usage.body.storage_used_bytes).toBe(good.byteLength);
    // A failed PUT is no upload: the broken document's URL is spent (completed).
    expectError((await put(b.upload_url, broken, b.headers)) as never, 409, "conflict");
  });
});

// ---------------------------------------------------------------------------------------
// Supabase Storage: the URL points at Storage, which refuses a second upload to an
// existing path (the URL is signed without upsert) but cannot revoke a URL.
const postgres = process.env.TEST_DB === "postgres";
const SECRET_KEY = "sb_secret_upload_urls";

describe("signed upload URLs (Supabase Storage)", () => {
  let fake: SupabaseStorageFake;
  let server: AppServer;
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let owner: Awaited<ReturnType<typeof signUp>>;
  const encryptionKey = randomBytes(32).toString("base64");
  const env = () => ({
    NEXT_PUBLIC_SUPABASE_URL: fake.url,
    SUPABASE_SECRET_KEY: SECRET_KEY,
    SUPABASE_STORAGE_BUCKET: "documents",
    ENCRYPTION_KEY: encryptionKey,
    GEMINI_API_KEY: "",
    SWEEPER_INTERVAL_MS: "300",
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const objectSize = (name: string) => fake.buckets.get("documents")?.objects.get(name)?.bytes.byteLength ?? null;

  beforeAll(async () => {
    const { startSupabaseStorageFake } = await import("../fakes/supabase-storage");
    fake = await startSupabaseStorageFake({ secretKey: SECRET_KEY });
    // Its own database: the shared server (embedded storage) must not take these jobs.
    if (postgres) database = await createDatabase("pa_upload_urls");
    server = await startAppServer(env());
    owner = await signUp({ company_name: "Supabase Uploads SARL" }, server.url);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await database?.drop();
    if (server?.dataDir) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }, 30_000);

  it("a second upload to a used URL is refused by Storage; complete measures the stored object", async () => {
    const bytes = textPdf([factText(8)]);
    const url = await reserve(owner.token, "supa.pdf", bytes.byteLength, server.url);
    expect(url.upload_url.startsWith(`${fake.url}/storage/v1/object/upload/sign/documents/`)).toBe(true);
    expect((await put(url.upload_url, bytes, url.headers)).status).toBe(200);
    const again = await put(url.upload_url, sameSizeText(bytes.byteLength), url.headers);
    expect(again.body).toMatchObject({ statusCode: "409", error: "Duplicate" });
    expect((await complete(owner.token, url.document_id, server.url)).status).toBe(202);
    const { doc } = await waitForDocument(owner.token, url.document_id, { baseUrl: server.url });
    expect(doc).toMatchObject({ status: "processed", size_bytes: bytes.byteLength });
    const name = `${owner.customer.id}/${url.document_id}.pdf`;
    expect(objectSize(name)).toBe(bytes.byteLength);
    const usage = await api("/api/v1/billing/usage", { token: owner.token, baseUrl: server.url });
    expect(usage.body.storage_used_bytes).toBe(bytes.byteLength);
  });

  it("an object of another size than declared is refused at complete and removed", async () => {
    const bytes = textPdf([factText(9)]);
    // Declared small, stored large: Storage takes it (it cannot bound one URL); complete does not.
    const url = await reserve(owner.token, "understated.pdf", 611, server.url);
    const padded = new Uint8Array(bytes.byteLength + 2 * MiB);
    padded.set(bytes);
    expect((await put(url.upload_url, padded, url.headers)).status).toBe(200);
    const done = await complete(owner.token, url.document_id, server.url);
    expectError(done, 422, "validation_failed");
    expect(done.body.error.message).toContain("611");
    expect(objectSize(`${owner.customer.id}/${url.document_id}.pdf`)).toBeNull();
    expectError(
      await api(`/api/v1/documents/${url.document_id}`, { token: owner.token, baseUrl: server.url }),
      404,
      "not_found",
    );
  });

  it("uploads no document owns are removed: after a delete (once the URL expired) and when never completed", async () => {
    const bytes = textPdf([factText(10)]);
    const url = await reserve(owner.token, "gone.pdf", bytes.byteLength, server.url);
    const name = `${owner.customer.id}/${url.document_id}.pdf`;
    const del = await api(`/api/v1/documents/${url.document_id}`, {
      method: "DELETE",
      token: owner.token,
      baseUrl: server.url,
    });
    expect(del.status).toBe(204);
    // Storage still honours the URL: the object appears although no document owns it.
    expect((await put(url.upload_url, bytes, url.headers)).status).toBe(200);
    expect(objectSize(name)).toBe(bytes.byteLength);
    // Another upload whose bytes arrived but which is never completed.
    const left = textPdf([factText(11)]);
    const abandoned = await reserve(owner.token, "abandoned.pdf", left.byteLength, server.url);
    const abandonedName = `${owner.customer.id}/${abandoned.document_id}.pdf`;
    expect((await put(abandoned.upload_url, left, abandoned.headers)).status).toBe(200);
    const before = await api("/api/v1/billing/usage", { token: owner.token, baseUrl: server.url });

    // Two hours and a quarter later (the job's due time, moved instead of waited for; the
    // embedded database can only be opened while the server is stopped).
    await server.stop();
    vi.resetModules();
    const { openDirectDatabase } = await import("../support/direct-db");
    const db = await openDirectDatabase({ dataDir: server.dataDir, databaseUrl: database?.url, encryptionKey });
    try {
      const moved = await db.asService("test: time passes", (tx) =>
        db.rows<{ run_at: string }>(
          tx,
          sql`update jobs set run_at = now() where kind = 'delete_orphan_file'
              and payload ->> 'storage_path' = ${name} returning run_at`,
        ),
      );
      expect(moved).toHaveLength(1);
      await db.asService("test: time passes", (tx) =>
        db.rows(
          tx,
          sql`update documents set upload_date = now() - interval '4 hours' where id = ${abandoned.document_id}`,
        ),
      );
    } finally {
      await db.closeDatabase();
    }
    server = await startAppServer(env(), { dataDir: server.dataDir });
    const deadline = Date.now() + 20_000;
    while ((objectSize(name) !== null || objectSize(abandonedName) !== null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(objectSize(name)).toBeNull();
    // The abandoned upload ends failed, its bytes removed and no longer counted.
    expect(objectSize(abandonedName)).toBeNull();
    const doc = await api(`/api/v1/documents/${abandoned.document_id}`, { token: owner.token, baseUrl: server.url });
    expect(doc.body).toMatchObject({ status: "failed", error: expect.stringMatching(/never completed/) });
    const after = await api("/api/v1/billing/usage", { token: owner.token, baseUrl: server.url });
    expect(after.body.storage_used_bytes).toBe(before.body.storage_used_bytes - left.byteLength);
  });
});
