import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../support/api";
import {
  expectRejectedAndNothingStored,
  type Received,
  sentTo,
  type Tenant,
  tenantWithDocument,
  textOf,
  waitForSends,
  postWebhook as webhook,
} from "../support/webhook";

// The heart of the product, end to end against the real server: ManyChat posts a
// customer's message, gets the acknowledgement at once, and the answer drawn from the
// tenant's PDF reaches the ManyChat fake, citing the right page.
let acme: Tenant;
let other: Tenant;

beforeAll(async () => {
  acme = await tenantWithDocument(
    [
      ["Welcome to Acme bikes. We sell city bikes and mountain bikes."],
      ["Warranty: every Acme bike frame has a warranty of 5 years.", "Batteries are covered for 2 years."],
    ],
    "acme-guide.pdf",
  );
  other = await tenantWithDocument(
    [["Warranty: every Zenith bike frame has a warranty of 1 year only."]],
    "zenith-terms.pdf",
  );
}, 120_000);

describe("POST /webhook/manychat", () => {
  it("acknowledges in ManyChat's v2 format, then sends one grounded answer citing the page", async () => {
    const subscriber = `sub-${randomUUID()}`;
    const res = await webhook(acme.secret, { subscriber_id: subscriber, text: "How long is the frame warranty?" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      version: "v2",
      content: {
        type: "whatsapp",
        messages: [{ type: "text", text: "OK, bien reçu" }],
        actions: [],
        quick_replies: [],
      },
      status: "accepted",
      message_id: expect.any(String),
    });
    const [send] = await waitForSends(subscriber, 1);
    const text = textOf(send as Received);
    expect(text).toMatch(/5 years/);
    expect(text).toContain("📄 acme-guide.pdf, p. 2");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sentTo(subscriber)).toHaveLength(1);

    const log = await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: acme.token });
    expect(log.body.items.map((m: { direction: string; status: string }) => [m.direction, m.status])).toEqual([
      ["outbound", "sent"],
      ["inbound", "answered"],
    ]);
    expect(log.body.items[0].sources[0]).toMatchObject({ filename: "acme-guide.pdf", page: 2 });
  });

  it("accepts ManyChat's Full Contact Data", async () => {
    const subscriber = String(Math.floor(Math.random() * 1e12));
    const res = await webhook(acme.secret, {
      id: Number(subscriber),
      first_name: "Ana",
      last_name: "Lopez",
      whatsapp_phone: "+33600000000",
      last_input_text: "Are batteries covered?",
    });
    expect(res.status).toBe(200);
    const [send] = await waitForSends(subscriber, 1);
    expect(textOf(send as Received)).toMatch(/2 years/);
  });

  it("a repeated delivery returns the same message id and produces one answer", async () => {
    const subscriber = `sub-${randomUUID()}`;
    const body = { subscriber_id: subscriber, text: "What bikes do you sell?" };
    const first = await webhook(acme.secret, body, { "idempotency-key": `k-${subscriber}` });
    const again = await webhook(acme.secret, body, { "idempotency-key": `k-${subscriber}` });
    const noKey = await webhook(acme.secret, body);
    expect(again.body.message_id).toBe(first.body.message_id);
    expect(noKey.body.message_id).toBe(first.body.message_id);
    await waitForSends(subscriber, 1);
    await new Promise((r) => setTimeout(r, 4500));
    expect(await sentTo(subscriber)).toHaveLength(1);
  });

  it("three quick messages get one combined answer", async () => {
    const subscriber = `sub-${randomUUID()}`;
    for (const text of ["Hello", "I have a question", "what is the warranty on the frame?"]) {
      expect((await webhook(acme.secret, { subscriber_id: subscriber, text })).status).toBe(200);
    }
    const [send] = await waitForSends(subscriber, 1);
    expect(textOf(send as Received)).toMatch(/5 years/);
    await new Promise((r) => setTimeout(r, 4500));
    expect(await sentTo(subscriber)).toHaveLength(1);
    const log = await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: acme.token });
    const inbound = log.body.items.filter((m: { direction: string }) => m.direction === "inbound");
    expect(inbound.map((m: { status: string }) => m.status)).toEqual(["answered", "answered", "answered"]);
  });

  it("a question the documents do not cover gets the refusal text and is recorded unanswered", async () => {
    const subscriber = `sub-${randomUUID()}`;
    await webhook(acme.secret, { subscriber_id: subscriber, text: "Do you deliver pizzas to Tokyo on Sundays?" });
    const [send] = await waitForSends(subscriber, 1);
    expect(textOf(send as Received)).toContain("Je ne trouve pas cette information");
    const log = await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: acme.token });
    expect(log.body.items.find((m: { direction: string }) => m.direction === "inbound").status).toBe("unanswered");
  });

  it("one tenant's secret never draws on another tenant's documents", async () => {
    const subscriber = `sub-${randomUUID()}`;
    await webhook(other.secret, { subscriber_id: subscriber, text: "How long is the frame warranty?" });
    const [send] = await waitForSends(subscriber, 1);
    const text = textOf(send as Received);
    expect(text).toMatch(/1 year/);
    expect(text).not.toMatch(/5 years|acme/i);
  });

  it("wrong or missing secret → 401, garbage body → 422, over 64 KB → 413, and nothing is stored", async () => {
    await expectRejectedAndNothingStored(acme);
  });
});

describe("POST /query", () => {
  it("answers synchronously with sources, mode and latency", async () => {
    const res = await api("/api/v1/query", {
      method: "POST",
      token: acme.token,
      body: { question: "How long is the frame warranty?" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      answered: true,
      mode: "generative",
      sources: [expect.objectContaining({ filename: "acme-guide.pdf", page: 2, document_id: expect.any(String) })],
      latency_ms: expect.any(Number),
    });
    expect(res.body.answer).toMatch(/5 years/);
  });

  it("says honestly when the documents do not cover the question", async () => {
    const res = await api("/api/v1/query", {
      method: "POST",
      token: acme.token,
      body: { question: "What is the capital of Australia?" },
    });
    expect(res.body).toMatchObject({ answered: false, sources: [] });
  });

  it("validates its input", async () => {
    expectError(
      await api("/api/v1/query", { method: "POST", token: acme.token, body: { question: "" } }),
      422,
      "validation_failed",
    );
  });
});
