import { expect } from "vitest";
import { type ApiResponse, api } from "./api";

/** Uploads bytes as multipart/form-data, as the dashboard and API clients do. */
export async function uploadPdf(token: string, bytes: Uint8Array, filename: string, baseUrl?: string) {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)], { type: "application/pdf" }), filename);
  const res = await fetch(`${baseUrl ?? (await import("vitest")).inject("baseUrl")}/api/v1/documents/upload`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers } as ApiResponse;
}

/** Polls a document until it reaches a final state; returns every state seen. */
export async function waitForDocument(token: string, id: string, opts: { baseUrl?: string; timeoutMs?: number } = {}) {
  const seen: any[] = [];
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  for (;;) {
    const res = await api(`/api/v1/documents/${id}`, { token, baseUrl: opts.baseUrl });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    seen.push(res.body);
    if (res.body.status === "processed" || res.body.status === "failed") return { doc: res.body, seen };
    if (Date.now() > deadline) throw new Error(`document ${id} still ${res.body.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
