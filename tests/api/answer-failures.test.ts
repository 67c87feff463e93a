import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { api } from "../support/api";
import {
  postWebhook,
  type Received,
  sentTo,
  setFake,
  type Tenant,
  tenantWithDocument,
  textOf,
  waitForSends,
} from "../support/webhook";

// When Gemini or ManyChat misbehave, every message still ends in a visible final
// state: retried when it can succeed later, the tenant's fallback text when it cannot,
// and permanent ManyChat refusals recorded without retrying.
let shop: Tenant;
const gemini = () => inject("geminiUrl");
const manychat = () => inject("manychatUrl");

beforeAll(async () => {
  shop = await tenantWithDocument(
    [["Returns: unused items can be returned within 30 days for a full refund."]],
    "returns.pdf",
    {
      settings: { burst_window_seconds: 0, fallback_text: "Sorry, we will get back to you shortly." },
    },
  );
}, 60_000);

afterEach(async () => {
  await setFake(gemini(), { fail: null, latencyMs: 0, generate: null });
  await setFake(manychat(), { fail: null, latencyMs: 0 });
});

const ask = async (text: string) => {
  const subscriber = `sub-${randomUUID()}`;
  const res = await postWebhook(shop.secret, { subscriber_id: subscriber, text });
  expect(res.status).toBe(200);
  return { subscriber, sentAt: Date.now() };
};

const inboundOf = async (subscriber: string) =>
  (await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: shop.token })).body.items.find(
    (m: { direction: string }) => m.direction === "inbound",
  );

describe("answering when services fail", () => {
  it("Gemini answering 429 with RetryInfo, then success: the answer arrives after the delay", async () => {
    await setFake(gemini(), { fail: { error: 429, times: 1, retryDelay: "2s", method: "generateContent" } });
    const { subscriber, sentAt } = await ask("Can I return unused items?");
    const [send] = await waitForSends(subscriber, 1, { timeoutMs: 30_000 });
    expect(textOf(send as Received)).toMatch(/30 days/);
    expect(Date.parse((send as Received).at) - sentAt).toBeGreaterThanOrEqual(1900);
    expect((await inboundOf(subscriber)).status).toBe("answered");
  });

  it("Gemini down for good: the fallback text arrives and the message is marked failed", async () => {
    await setFake(gemini(), { fail: { error: 503 } });
    const { subscriber } = await ask("Can I return unused items?");
    const [send] = await waitForSends(subscriber, 1, { timeoutMs: 45_000 });
    expect(textOf(send as Received)).toBe("Sorry, we will get back to you shortly.");
    const inbound = await inboundOf(subscriber);
    expect(inbound.status).toBe("failed");
    expect(inbound.error).toMatch(/Gemini/i);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await sentTo(subscriber)).toHaveLength(1);
  });

  it("ManyChat refusing with 3011 (24-hour window closed) is recorded and not retried", async () => {
    await setFake(manychat(), { fail: { error: 3011, times: 1 } });
    const { subscriber } = await ask("Can I return unused items?");
    await waitForSends(subscriber, 1);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await sentTo(subscriber)).toHaveLength(1);
    const log = (await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: shop.token })).body.items;
    const outbound = log.find((m: { direction: string }) => m.direction === "outbound");
    expect(outbound.status).toBe("failed");
    expect(outbound.error).toMatch(/24-hour/);
    expect((await inboundOf(subscriber)).status).toBe("failed");
  });

  it("with a fallback flow configured, a refused message goes through the custom field and the flow", async () => {
    const flowShop = await tenantWithDocument([["Delivery: orders ship within 48 hours."]], "shipping.pdf", {
      settings: {
        burst_window_seconds: 0,
        fallback_flow_ns: "content20261128_flow",
        fallback_field_name: "answer_text",
      },
    });
    await setFake(manychat(), { fail: { error: 3011, times: 1 } });
    const subscriber = `sub-${randomUUID()}`;
    await postWebhook(flowShop.secret, { subscriber_id: subscriber, text: "How fast do orders ship?" });
    const deadline = Date.now() + 20_000;
    let calls: { path: string; body: Record<string, unknown> }[] = [];
    while (Date.now() < deadline) {
      const all = (await (await fetch(`${manychat()}/__fake/requests`)).json()) as typeof calls;
      calls = all.filter((r) => String(r.body?.subscriber_id) === subscriber);
      if (calls.some((c) => c.path === "/fb/sending/sendFlow")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(calls.map((c) => c.path)).toEqual([
      "/fb/sending/sendContent",
      "/fb/subscriber/setCustomFieldByName",
      "/fb/sending/sendFlow",
    ]);
    expect(calls[1]?.body).toMatchObject({ field_name: "answer_text", field_value: expect.stringMatching(/48 hours/) });
    expect(calls[2]?.body).toMatchObject({ flow_ns: "content20261128_flow" });
    const log = (await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: flowShop.token })).body.items;
    await new Promise((r) => setTimeout(r, 300));
    const again = (await api(`/api/v1/messages?subscriber_id=${subscriber}`, { token: flowShop.token })).body.items;
    expect((again.length ? again : log).find((m: { direction: string }) => m.direction === "outbound")?.status).toBe(
      "sent",
    );
  });

  it("a safety block gets a polite reply, not silence", async () => {
    await setFake(gemini(), { generate: { finishReason: "SAFETY" } });
    const { subscriber } = await ask("Can I return unused items?");
    const [send] = await waitForSends(subscriber, 1);
    expect(textOf(send as Received)).toMatch(/can't answer this message/);
  });
});
