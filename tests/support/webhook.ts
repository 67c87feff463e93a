import { randomUUID } from "node:crypto";
import { expect, inject } from "vitest";
import { api, expectError, signUp } from "./api";
import { uploadPdf, waitForDocument } from "./documents";
import { textPdf } from "./pdf-fixtures";

/** A tenant with ManyChat connected and one processed PDF, ready to receive messages. */
export type Tenant = Awaited<ReturnType<typeof signUp>> & { secret: string };

export async function tenantWithDocument(
  pages: string[][],
  filename: string,
  opts: { baseUrl?: string; settings?: Record<string, unknown> } = {},
): Promise<Tenant> {
  const t = await signUp({}, opts.baseUrl);
  const key = await api("/api/v1/customers/me", {
    method: "PATCH",
    token: t.token,
    baseUrl: opts.baseUrl,
    body: {
      manychat_api_key: `${Math.floor(Math.random() * 1e9)}:tok${randomUUID().slice(0, 8)}`,
      settings: { language: "en", ...opts.settings },
    },
  });
  expect(key.status, JSON.stringify(key.body)).toBe(200);
  const up = await uploadPdf(t.token, textPdf(pages), filename, opts.baseUrl);
  expect(up.status).toBe(202);
  const { doc } = await waitForDocument(t.token, up.body.document.id, { baseUrl: opts.baseUrl });
  expect(doc.status).toBe("processed");
  return { ...t, secret: key.body.inbound_webhook.secret };
}

export const postWebhook = (
  secret: string | null,
  body: unknown,
  headers: Record<string, string> = {},
  baseUrl?: string,
) =>
  api("/api/v1/webhook/manychat", {
    method: "POST",
    body,
    baseUrl,
    headers: { ...(secret ? { "x-webhook-secret": secret } : {}), ...headers },
  });

export interface Received {
  path: string;
  at: string;
  body: { subscriber_id?: string | number; data?: { content?: { messages?: { text: string }[] } } };
}

export async function sentTo(subscriberId: string, manychatUrl = inject("manychatUrl")): Promise<Received[]> {
  const all = (await (await fetch(`${manychatUrl}/__fake/requests`)).json()) as Received[];
  return all.filter((r) => r.path === "/fb/sending/sendContent" && String(r.body?.subscriber_id) === subscriberId);
}

export async function waitForSends(
  subscriberId: string,
  count: number,
  opts: { timeoutMs?: number; manychatUrl?: string } = {},
) {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const sends = await sentTo(subscriberId, opts.manychatUrl);
    if (sends.length >= count) return sends;
    if (Date.now() > deadline) throw new Error(`expected ${count} sends to ${subscriberId}, got ${sends.length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const textOf = (r: Received) => (r.body.data?.content?.messages ?? []).map((m) => m.text).join("\n");

export async function setFake(url: string, behaviour: Record<string, unknown>) {
  const res = await fetch(`${url}/__fake/behaviour`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(behaviour),
  });
  expect(res.status).toBe(200);
}

/**
 * What the webhook refuses (API.md): a wrong or missing secret → 401, a body that is not
 * JSON or lacks the text → 422 naming the fields, more than 64 KB → 413; every refusal
 * in the error envelope with a request id, and nothing stored for any of them.
 */
export async function expectRejectedAndNothingStored(tenant: Tenant, baseUrl?: string) {
  const stored = async () =>
    (await api("/api/v1/messages?limit=200", { token: tenant.token, baseUrl })).body.items.length as number;
  const before = await stored();
  const post = (secret: string | null, body: unknown) => postWebhook(secret, body, {}, baseUrl);
  expectError(await post(null, { subscriber_id: "x", text: "hi" }), 401, "unauthenticated");
  const wrong = await post("whsec_wrong", { subscriber_id: "x", text: "hi" });
  expectError(wrong, 401, "unauthenticated");
  expect(wrong.headers.get("x-request-id")).toBe(wrong.body.error.request_id);
  expectError(
    await api("/api/v1/webhook/manychat", {
      method: "POST",
      rawBody: "garbage{",
      baseUrl,
      headers: { "x-webhook-secret": tenant.secret },
    }),
    422,
    "validation_failed",
  );
  const missing = await post(tenant.secret, { subscriber_id: "x" });
  expectError(missing, 422, "validation_failed");
  expect(missing.body.error.details).toContainEqual(expect.objectContaining({ path: expect.any(String) }));
  const huge = await post(tenant.secret, { subscriber_id: "x", text: "hi", padding: "x".repeat(70 * 1024) });
  expectError(huge, 413, "payload_too_large");
  expect(await stored()).toBe(before);
}
