import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, expectError, signUp } from "../support/api";
import { uploadPdf, waitForDocument } from "../support/documents";
import {
  encryptedPdf,
  factPage,
  factText,
  largePdf,
  manyPagesPdf,
  notAPdf,
  scannedPagePdf,
  textPdf,
  truncatedPdf,
} from "../support/pdf-fixtures";

// Documents end to end against the real server: upload, validation, ingestion,
// progress, failures with reasons a person can act on, replacement, deletion.
let owner: Awaited<ReturnType<typeof signUp>>;
const storedFile = (customerId: string, documentId: string) =>
  path.join(inject("serverDataDir"), "files", customerId, `${documentId}.pdf`);

beforeAll(async () => {
  owner = await signUp({ company_name: "Docs SARL" });
});

describe("uploading PDFs", () => {
  it("a one-page PDF is accepted (202 pending), then processed with its page and chunks", async () => {
    const res = await uploadPdf(owner.token, textPdf(["The X200 warranty lasts 5 years."]), "warranty.pdf");
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.document).toMatchObject({
      filename: "warranty.pdf",
      status: "pending",
      size_bytes: expect.any(Number),
    });
    const { doc } = await waitForDocument(owner.token, res.body.document.id);
    expect(doc).toMatchObject({
      status: "processed",
      page_count: 1,
      chunk_count: 1,
      progress: { pages_done: 1, pages_total: 1 },
      error: null,
      warnings: [],
    });
    expect(fs.existsSync(storedFile(owner.customer.id, doc.id))).toBe(true);
  });

  it("a 200-page PDF is processed, with progress reported on the way", async () => {
    const res = await uploadPdf(owner.token, manyPagesPdf(200), "catalogue-200.pdf");
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.document.progress).toEqual({ pages_done: 0, pages_total: 200 });
    const { doc, seen } = await waitForDocument(owner.token, res.body.document.id, { timeoutMs: 90_000 });
    expect(doc).toMatchObject({
      status: "processed",
      page_count: 200,
      progress: { pages_done: 200, pages_total: 200 },
    });
    expect(doc.chunk_count).toBeGreaterThan(50);
    const done = seen.map((d) => d.progress.pages_done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(factPage(137)).toBeGreaterThan(1);
  });

  it("201 pages → 422 saying the limit", async () => {
    const res = await uploadPdf(owner.token, manyPagesPdf(201), "too-long.pdf");
    expectError(res, 422, "validation_failed");
    expect(res.body.error.message).toMatch(/201 pages; the limit is 200/);
  });

  it("over 20 MB → 413", async () => {
    const res = await uploadPdf(owner.token, largePdf(21 * 1024 * 1024), "huge.pdf");
    expectError(res, 413, "payload_too_large");
    expect(res.body.error.message).toMatch(/20/);
  });

  it("a text file named .pdf → 415, judged by its bytes not its name", async () => {
    expectError(await uploadPdf(owner.token, notAPdf(), "notes.pdf"), 415, "unsupported_media_type");
  });

  it("a password-protected PDF ends failed with 'password protected' and no chunks", async () => {
    const res = await uploadPdf(owner.token, encryptedPdf(), "secret.pdf");
    expect(res.status).toBe(202);
    const { doc } = await waitForDocument(owner.token, res.body.document.id);
    expect(doc.status).toBe("failed");
    expect(doc.error).toMatch(/password protected/i);
    expect(doc.chunk_count).toBe(0);
  });

  it("a truncated PDF ends failed with 'not a readable PDF' and no chunks", async () => {
    const res = await uploadPdf(owner.token, truncatedPdf(), "broken.pdf");
    expect(res.status).toBe(202);
    const { doc } = await waitForDocument(owner.token, res.body.document.id);
    expect(doc).toMatchObject({ status: "failed", chunk_count: 0 });
    expect(doc.error).toMatch(/not a readable PDF/i);
  });

  it("a scanned page is read through Gemini OCR when a key is configured", async () => {
    const res = await uploadPdf(owner.token, scannedPagePdf(), "scan.pdf");
    expect(res.status).toBe(202);
    const { doc } = await waitForDocument(owner.token, res.body.document.id);
    expect(doc).toMatchObject({ status: "processed", page_count: 2, warnings: [] });
    const ocrCalls = (await (await fetch(`${inject("geminiUrl")}/__fake/requests`)).json()) as { body: unknown }[];
    expect(JSON.stringify(ocrCalls)).toContain("application/pdf");
  });

  it("the same content twice → 409 naming the existing document", async () => {
    const bytes = textPdf(["Opening hours: 9 to 18, Monday to Saturday."]);
    const first = await uploadPdf(owner.token, bytes, "hours.pdf");
    expect(first.status).toBe(202);
    const again = await uploadPdf(owner.token, bytes, "hours-copy.pdf");
    expectError(again, 409, "conflict");
    expect(again.body.error.message).toContain("hours.pdf");
    expect(again.body.error.details).toMatchObject({ document_id: first.body.document.id, filename: "hours.pdf" });
  });

  it("re-uploading a file with the same name replaces the old version", async () => {
    const v1 = await uploadPdf(owner.token, textPdf(["Price list version one: 10 euros."]), "prices.pdf");
    const { doc: first } = await waitForDocument(owner.token, v1.body.document.id);
    expect(first.status).toBe("processed");
    const v2 = await uploadPdf(owner.token, textPdf(["Price list version two: 12 euros."]), "prices.pdf");
    const { doc: second } = await waitForDocument(owner.token, v2.body.document.id);
    expect(second.status).toBe("processed");
    const list = await api("/api/v1/documents?limit=200", { token: owner.token });
    const named = list.body.items.filter((d: { filename: string }) => d.filename === "prices.pdf");
    expect(named.map((d: { id: string }) => d.id)).toEqual([second.id]);
    expectError(await api(`/api/v1/documents/${first.id}`, { token: owner.token }), 404, "not_found");
    expect(fs.existsSync(storedFile(owner.customer.id, first.id))).toBe(false);
  });

  it("deleting a document removes it, its chunks and its stored file", async () => {
    const res = await uploadPdf(owner.token, textPdf(["Delivery takes three days."]), "delivery.pdf");
    const { doc } = await waitForDocument(owner.token, res.body.document.id);
    expect(fs.existsSync(storedFile(owner.customer.id, doc.id))).toBe(true);
    const del = await api(`/api/v1/documents/${doc.id}`, { method: "DELETE", token: owner.token });
    expect(del.status).toBe(204);
    expectError(await api(`/api/v1/documents/${doc.id}`, { token: owner.token }), 404, "not_found");
    expect(fs.existsSync(storedFile(owner.customer.id, doc.id))).toBe(false);
    expectError(await api(`/api/v1/documents/${doc.id}`, { method: "DELETE", token: owner.token }), 404, "not_found");
  });

  it("the direct-upload path: upload URL, PUT the bytes, complete", async () => {
    const bytes = textPdf([factText(1), factText(2)]);
    const url = await api("/api/v1/documents/upload-url", {
      method: "POST",
      token: owner.token,
      body: { filename: "direct.pdf", size_bytes: bytes.byteLength },
    });
    expect(url.status, JSON.stringify(url.body)).toBe(200);
    expect(url.body).toMatchObject({ document_id: expect.any(String), method: "PUT", upload_url: expect.any(String) });
    const put = await fetch(url.body.upload_url, {
      method: url.body.method,
      headers: url.body.headers,
      body: new Blob([new Uint8Array(bytes)]),
    });
    expect(put.status).toBeLessThan(300);
    const done = await api(`/api/v1/documents/${url.body.document_id}/complete`, {
      method: "POST",
      token: owner.token,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(202);
    const { doc } = await waitForDocument(owner.token, url.body.document_id);
    expect(doc).toMatchObject({ status: "processed", filename: "direct.pdf", page_count: 2 });
    const twice = await api(`/api/v1/documents/${url.body.document_id}/complete`, {
      method: "POST",
      token: owner.token,
    });
    expectError(twice, 409, "conflict");
  });

  it("a direct upload URL with a tampered token is refused", async () => {
    const url = await api("/api/v1/documents/upload-url", {
      method: "POST",
      token: owner.token,
      body: { filename: "x.pdf", size_bytes: 1000 },
    });
    const tampered = url.body.upload_url.replace(/token=([^&]{5})/, "token=AAAAA");
    const put = await fetch(tampered, {
      method: "PUT",
      headers: url.body.headers,
      body: new Blob([new Uint8Array(textPdf(["x"]))]),
    });
    expect(put.status).toBe(401);
  });

  it("bad requests: no file, not multipart", async () => {
    const form = new FormData();
    form.set("other", "x");
    const noFile = await fetch(`${inject("baseUrl")}/api/v1/documents/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    expect(noFile.status).toBe(422);
    expectError(
      await api("/api/v1/documents/upload", { method: "POST", token: owner.token, body: { file: "x" } }),
      415,
      "unsupported_media_type",
    );
  });

  it("pages through the list with cursors: every document once, newest first", async () => {
    const all = (await api("/api/v1/documents?limit=200", { token: owner.token })).body.items.map(
      (d: { id: string }) => d.id,
    );
    expect(all.length).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; next_cursor: string | null } } = await api(
        `/api/v1/documents?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { token: owner.token },
      );
      seen.push(...res.body.items.map((d) => d.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it("the server is still healthy after all of this", async () => {
    expect((await api("/api/v1/health")).status).toBe(200);
  });
});

describe("documents across tenants", () => {
  it("B cannot list, read, complete or delete A's documents, nor see A's files", async () => {
    const a = await signUp();
    const b = await signUp();
    const up = await uploadPdf(a.token, textPdf(["Alpha's private catalogue."]), "alpha.pdf");
    const { doc } = await waitForDocument(a.token, up.body.document.id);
    expectError(await api(`/api/v1/documents/${doc.id}`, { token: b.token }), 404, "not_found");
    expectError(await api(`/api/v1/documents/${doc.id}`, { method: "DELETE", token: b.token }), 404, "not_found");
    expectError(
      await api(`/api/v1/documents/${doc.id}/complete`, { method: "POST", token: b.token }),
      404,
      "not_found",
    );
    expect((await api("/api/v1/documents", { token: b.token })).body.items).toEqual([]);
    expect((await api(`/api/v1/documents/${doc.id}`, { token: a.token })).status).toBe(200);
    expect(fs.existsSync(storedFile(a.customer.id, doc.id))).toBe(true);
    // Same content uploaded by another tenant is not a duplicate of theirs.
    const same = await uploadPdf(b.token, textPdf(["Alpha's private catalogue."]), "copy.pdf");
    expect(same.status).toBe(202);
  });
});
