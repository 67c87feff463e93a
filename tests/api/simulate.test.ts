import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, expectError, signUp } from "../support/api";
import { uploadPdf, waitForDocument } from "../support/documents";
import { textPdf } from "../support/pdf-fixtures";
import { postWebhook } from "../support/webhook";

// The dashboard's "Simulate a WhatsApp message": the real pipeline (the webhook's
// acceptance, the burst window, the answer job with Gemini's fake) answered in the
// response, recorded like a real conversation, and never sent through ManyChat.

const GUIDE = [
  ["Welcome to Acme bikes. We sell city bikes and mountain bikes."],
  ["Warranty: every Acme bike frame has a warranty of 5 years.", "Batteries are covered for 2 years."],
];

interface Workspace {
  token: string;
  secret: string;
  manychatKey: string | null;
}

/** A tenant with one processed PDF, and a ManyChat key when asked for (so sends could happen). */
async function workspace(opts: { manychat: boolean }): Promise<Workspace> {
  const t = await signUp();
  const manychatKey = opts.manychat ? `${Math.floor(Math.random() * 1e9)}:tok${randomUUID().slice(0, 8)}` : null;
  const patch = await api("/api/v1/customers/me", {
    method: "PATCH",
    token: t.token,
    body: { settings: { language: "en" }, ...(manychatKey ? { manychat_api_key: manychatKey } : {}) },
  });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  expect(patch.body.manychat.configured).toBe(opts.manychat);
  const up = await uploadPdf(t.token, textPdf(GUIDE), "acme-guide.pdf");
  expect(up.status).toBe(202);
  expect((await waitForDocument(t.token, up.body.document.id)).doc.status).toBe("processed");
  return { token: t.token, secret: patch.body.inbound_webhook.secret, manychatKey };
}

const simulate = (token: string | undefined, text: unknown, headers: Record<string, string> = {}) =>
  api("/api/v1/simulate", { method: "POST", token, body: { text }, headers });

interface FakeRequest {
  path: string;
  authorization: string | null;
  body: { subscriber_id?: unknown } | null;
}
const manychatRequests = async () =>
  (await (await fetch(`${inject("manychatUrl")}/__fake/requests`)).json()) as FakeRequest[];

const messagesOf = async (token: string, subscriber = "simulator") => {
  const res = await api(`/api/v1/messages?subscriber_id=${subscriber}&limit=200`, { token });
  expect(res.status).toBe(200);
  return res.body.items as {
    id: string;
    direction: string;
    status: string;
    channel: string;
    content: string;
    subscriber_name: string | null;
    sources: { filename: string; page: number }[];
    latency_ms: number | null;
  }[];
};

let acme: Workspace;
let noKey: Workspace;

beforeAll(async () => {
  [acme, noKey] = await Promise.all([workspace({ manychat: true }), workspace({ manychat: false })]);
}, 120_000);

describe("POST /simulate", () => {
  it("acknowledges like the webhook, then returns the grounded answer citing the page, without sending it", async () => {
    const started = Date.now();
    const res = await simulate(acme.token, "How long is the frame warranty?");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The burst window (3 s by default) passed before the answer, as after a ManyChat delivery.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(res.body).toMatchObject({
      message_id: expect.any(String),
      subscriber_id: "simulator",
      status: "answered",
      error: null,
    });
    // Exactly the body the webhook answers ManyChat with.
    expect(res.body.acknowledgement).toEqual({
      version: "v2",
      content: {
        type: "whatsapp",
        messages: [{ type: "text", text: "OK, bien reçu" }],
        actions: [],
        quick_replies: [],
      },
      status: "accepted",
      message_id: res.body.message_id,
    });
    const { reply } = res.body;
    expect(reply.messages).toHaveLength(1);
    expect(reply.messages[0]).toMatch(/5 years/);
    expect(reply.messages[0]).toContain("📄 acme-guide.pdf, p. 2");
    expect(reply.sources[0]).toMatchObject({ filename: "acme-guide.pdf", page: 2 });
    expect(reply.latency_ms).toEqual(expect.any(Number));

    // ManyChat heard nothing: no send to the simulator, nothing with this tenant's key but its check.
    await new Promise((r) => setTimeout(r, 1000));
    const requests = await manychatRequests();
    expect(requests.filter((r) => String(r.body?.subscriber_id ?? "") === "simulator")).toEqual([]);
    expect(requests.filter((r) => r.authorization?.includes(acme.manychatKey as string)).map((r) => r.path)).toEqual([
      "/fb/page/getInfo",
    ]);

    // Recorded like a WhatsApp conversation: the question (answered) and the reply with its sources.
    const log = await messagesOf(acme.token);
    expect(log.map((m) => [m.direction, m.status, m.channel])).toEqual([
      ["outbound", "sent", "whatsapp"],
      ["inbound", "answered", "whatsapp"],
    ]);
    const [outbound, inbound] = log as [(typeof log)[number], (typeof log)[number]];
    expect(inbound).toMatchObject({
      id: res.body.message_id,
      content: "How long is the frame warranty?",
      subscriber_name: "WhatsApp simulator",
    });
    expect(outbound.id).toBe(reply.id);
    expect(outbound.content).toBe(reply.messages[0]);
    expect(outbound.sources[0]).toMatchObject({ filename: "acme-guide.pdf", page: 2 });
  });

  it("answers a question the documents do not cover with the refusal text, recorded as unanswered", async () => {
    const res = await simulate(acme.token, "Do you deliver pizzas to Tokyo on Sundays?");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("unanswered");
    expect(res.body.reply.messages).toEqual([
      "Je ne trouve pas cette information dans nos documents. Un membre de l'équipe vous répondra.",
    ]);
    expect(res.body.reply.sources).toEqual([]);
    const inbound = (await messagesOf(acme.token)).find((m) => m.id === res.body.message_id);
    expect(inbound?.status).toBe("unanswered");
  });

  it("works without a ManyChat key, and the same question asked twice is answered twice", async () => {
    const first = await simulate(noKey.token, "Are batteries covered?");
    const second = await simulate(noKey.token, "Are batteries covered?");
    for (const res of [first, second]) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe("answered");
      expect(res.body.reply.messages[0]).toMatch(/2 years/);
    }
    expect(second.body.message_id).not.toBe(first.body.message_id);
    const log = await messagesOf(noKey.token);
    expect(log.filter((m) => m.direction === "inbound").map((m) => m.status)).toEqual(["answered", "answered"]);
    // Not "ManyChat is not connected": nothing was to be sent.
    expect(log.filter((m) => m.direction === "outbound").map((m) => m.status)).toEqual(["sent", "sent"]);
  });

  it("a repeated request with the same Idempotency-Key is answered once", async () => {
    const headers = { "idempotency-key": `retry-${randomUUID()}` };
    const first = await simulate(noKey.token, "What bikes do you sell?", headers);
    const again = await simulate(noKey.token, "What bikes do you sell?", headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.message_id).toBe(first.body.message_id);
    expect(again.body.reply.id).toBe(first.body.reply.id);
    const asked = (await messagesOf(noKey.token)).filter((m) => m.content === "What bikes do you sell?");
    expect(asked).toHaveLength(1);
  });

  it("a real delivery to the same tenant is still sent through ManyChat", async () => {
    const subscriber = `sub-${randomUUID()}`;
    const res = await postWebhook(acme.secret, { subscriber_id: subscriber, text: "Are batteries covered?" });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let sends: FakeRequest[] = [];
    while (sends.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 150));
      sends = (await manychatRequests()).filter(
        (r) => r.path === "/fb/sending/sendContent" && r.body?.subscriber_id === subscriber,
      );
    }
    expect(sends).toHaveLength(1);
  });

  it("validates the message and requires a workspace session", async () => {
    expectError(await simulate(acme.token, "   "), 422, "validation_failed");
    expectError(await simulate(acme.token, "x".repeat(4097)), 422, "validation_failed");
    expectError(await simulate(acme.token, 42), 422, "validation_failed");
    expectError(await simulate(undefined, "Hello"), 401, "unauthenticated");
  });

  it("one tenant never sees another's simulated conversation", async () => {
    const stranger = await signUp();
    expect(await messagesOf(stranger.token)).toEqual([]);
    const res = await simulate(stranger.token, "How long is the frame warranty?");
    expect(res.status).toBe(200);
    // No documents of its own: Acme's PDF is out of reach.
    expect(res.body.status).toBe("unanswered");
    expect(res.body.reply.messages[0]).not.toMatch(/5 years/);
    expect((await messagesOf(acme.token)).map((m) => m.id)).not.toContain(res.body.message_id);
  });
});
