import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ManychatFake, startManychatFake } from "@/tests/fakes/manychat";

// No database involved: run once, in the pglite project only.
describe.skipIf(process.env.TEST_DB === "postgres")("ManyChat client against the local fake", () => {
  const KEY = "123456:test-token";
  let fake: ManychatFake;
  let manychat: typeof import("@/lib/manychat/manychat-client");

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected a ManychatError");
      },
      (err: unknown) => err as InstanceType<typeof manychat.ManychatError>,
    );
  type SendContentBody = { data: { content: { messages: { text: string }[] } } };
  const sentTexts = (i: number) =>
    (fake.calls("sendContent")[i]?.body as SendContentBody | undefined)?.data.content.messages.map((m) => m.text) ?? [];

  beforeAll(async () => {
    fake = await startManychatFake();
    // Configuration is parsed once, on first use: set it before the client is loaded.
    process.env.MANYCHAT_API_URL = fake.url;
    manychat = await import("@/lib/manychat/manychat-client");
  });

  afterAll(async () => {
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
    manychat.resetManychatClientOptions();
    manychat.setManychatClientOptions({ baseDelayMs: 5, maxDelayMs: 20 });
  });

  it("sends WhatsApp text in ManyChat's sendContent format with the key as bearer token", async () => {
    const result = await manychat.sendWhatsAppMessages(KEY, "987654321", ["Hello", "We open at *9*."]);

    expect(result).toEqual({ status: "sent", attempts: 1, via: "content" });
    expect(fake.received).toHaveLength(1);
    const [request] = fake.received;
    expect(request).toMatchObject({ method: "POST", path: "/fb/sending/sendContent", status: 200 });
    expect(request?.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toEqual({
      subscriber_id: 987654321,
      data: {
        version: "v2",
        content: {
          type: "whatsapp",
          messages: [
            { type: "text", text: "Hello" },
            { type: "text", text: "We open at *9*." },
          ],
        },
      },
    });
  });

  it("retries a 429 and succeeds on the third attempt", async () => {
    fake.setBehaviour({ fail: { error: 429, times: 2 } });
    const result = await manychat.sendWhatsAppMessages(KEY, "1", ["Hi"]);
    expect(result).toEqual({ status: "sent", attempts: 3, via: "content" });
    expect(fake.calls("sendContent").map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("retries a 500 and a dropped connection", async () => {
    fake.setBehaviour({
      fail: [
        { error: 500, times: 1 },
        { error: "reset", times: 1 },
      ],
    });
    const result = await manychat.sendWhatsAppMessages(KEY, "1", ["Hi"]);
    expect(result.attempts).toBe(3);
    expect(fake.calls("sendContent").map((r) => r.status)).toEqual([500, 0, 200]);
  });

  it("gives up after 4 attempts on a lasting outage, as a retryable error", async () => {
    fake.setBehaviour({ fail: { error: 503 } });
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "1", ["Hi"]));
    expect(err).toBeInstanceOf(manychat.ManychatError);
    expect(err).toMatchObject({ reason: "unavailable", status: 503, code: null, retryable: true, attempts: 4 });
    expect(err.message).toMatch(/temporarily unavailable.*gave up after 4 attempts/);
    expect(fake.calls("sendContent")).toHaveLength(4);
  });

  it("does not retry a closed 24-hour window (code 3011) and says so plainly", async () => {
    fake.setBehaviour({ fail: { error: 3011 } });
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "1", ["Hi"]));
    expect(err).toBeInstanceOf(manychat.ManychatError);
    expect(err).toMatchObject({ reason: "window_closed", code: 3011, status: 400, retryable: false, attempts: 1 });
    expect(err.message).toBe("The customer's 24-hour WhatsApp window is closed; ManyChat refused a free-form message.");
    expect(fake.calls("sendContent")).toHaveLength(1);
  });

  it("does not retry a wrong key, nor try the fallback flow with it", async () => {
    const err = await failure(
      manychat.sendWhatsAppMessages("123456:bad-token", "1", ["Hi"], {
        flow: { fieldName: "answer", flowNs: "content20250101000000_000001" },
      }),
    );
    expect(err).toMatchObject({ reason: "invalid_api_key", status: 401, retryable: false, attempts: 1 });
    expect(err.message).toMatch(/rejected the API key/);
    expect(fake.received.map((r) => r.path)).toEqual(["/fb/sending/sendContent"]);
  });

  it("reports other refusals with ManyChat's own explanation, without retrying", async () => {
    fake.setBehaviour({ fail: { error: 400, message: "Subscriber does not exist" } });
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "42", ["Hi"]));
    expect(err).toMatchObject({ reason: "rejected", status: 400, retryable: false, attempts: 1 });
    expect(err.message).toMatch(
      /^ManyChat refused \(HTTP 400\) the message: Validation error .*Subscriber does not exist/,
    );
  });

  it("falls back to a custom field and a flow after a permanent refusal", async () => {
    fake.setBehaviour({ fail: { error: 3011 } });
    const flow = { fieldName: "pdf_answer", flowNs: "content20250101000000_000001" };
    const result = await manychat.sendWhatsAppMessages(KEY, "77", ["Part one", "Part two"], { flow });

    expect(result).toEqual({ status: "sent", attempts: 3, via: "flow" });
    expect(fake.received.map((r) => [r.path, r.status])).toEqual([
      ["/fb/sending/sendContent", 400],
      ["/fb/subscriber/setCustomFieldByName", 200],
      ["/fb/sending/sendFlow", 200],
    ]);
    expect(fake.received[1]?.body).toEqual({
      subscriber_id: 77,
      field_name: "pdf_answer",
      field_value: "Part one\n\nPart two",
    });
    expect(fake.received[2]?.body).toEqual({ subscriber_id: 77, flow_ns: "content20250101000000_000001" });
    for (const r of fake.received) expect(r.authorization).toBe(`Bearer ${KEY}`);
  });

  it("does not use the fallback for a transient failure: the caller reschedules", async () => {
    fake.setBehaviour({ fail: { error: 500 } });
    const flow = { fieldName: "pdf_answer", flowNs: "content1" };
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "77", ["Hi"], { flow }));
    expect(err).toMatchObject({ reason: "unavailable", retryable: true });
    expect(fake.calls("sendFlow")).toHaveLength(0);
  });

  it("keeps the original refusal when the fallback fails too", async () => {
    fake.setBehaviour({
      fail: [
        { error: 3011, endpoint: "sendContent" },
        { error: 400, endpoint: "sendFlow", message: "Flow not found" },
      ],
    });
    const flow = { fieldName: "pdf_answer", flowNs: "content-missing" };
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "77", ["Hi"], { flow }));
    expect(err).toMatchObject({ reason: "window_closed", code: 3011, retryable: false, attempts: 3 });
    expect(err.fallbackError).toMatchObject({ reason: "rejected", status: 400 });
    expect(err.message).toMatch(/window is closed.*The fallback flow failed too: .*Flow not found.*content-missing/);
  });

  it("takes its behaviour over HTTP too, for tests that run the app in another process", async () => {
    const set = await fetch(`${fake.url}/__fake/behaviour`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fail: { error: 3011, times: 1 } }),
    });
    expect(await set.json()).toMatchObject({ fail: { error: 3011, times: 1 }, latencyMs: 0 });
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "5", ["Hi"]));
    expect(err.code).toBe(3011);
    await manychat.sendWhatsAppMessages(KEY, "5", ["Again"]);

    const received = (await (await fetch(`${fake.url}/__fake/requests`)).json()) as { status: number; body: unknown }[];
    expect(received.map((r) => r.status)).toEqual([400, 200]);
    await fetch(`${fake.url}/__fake/reset`, { method: "POST" });
    expect(fake.received).toHaveLength(0);
    expect(await (await fetch(`${fake.url}/__fake/behaviour`)).json()).toEqual({ fail: null, latencyMs: 0 });
  });

  it("sends more than 10 messages in several sends, in order", async () => {
    const messages = Array.from({ length: 12 }, (_, i) => `Message ${i + 1}`);
    const result = await manychat.sendWhatsAppMessages(KEY, "5", messages);

    expect(result).toEqual({ status: "sent", attempts: 2, via: "content" });
    expect(fake.calls("sendContent")).toHaveLength(2);
    expect(sentTexts(0)).toEqual(messages.slice(0, 10));
    expect(sentTexts(1)).toEqual(messages.slice(10));
  });

  it("tells how many messages were delivered before a failure", async () => {
    fake.setBehaviour({ fail: { error: 3011, after: 1 } });
    const messages = Array.from({ length: 15 }, (_, i) => `Message ${i + 1}`);
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "5", messages));
    expect(err).toMatchObject({ reason: "window_closed", delivered: 10, attempts: 2 });
    expect(fake.calls("sendContent").map((r) => r.status)).toEqual([200, 400]);
  });

  it("rejects messages WhatsApp cannot take before calling ManyChat", async () => {
    const tooLong = await failure(manychat.sendWhatsAppMessages(KEY, "5", ["x".repeat(4097)]));
    expect(tooLong).toMatchObject({ reason: "invalid_request", retryable: false });
    expect(tooLong.message).toMatch(/4097 characters.*at most 4096/);
    const empty = await failure(manychat.sendWhatsAppMessages(KEY, "5", ["  "]));
    expect(empty).toMatchObject({ reason: "invalid_request" });
    expect(fake.received).toHaveLength(0);
  });

  it("times out a silent ManyChat after the per-attempt timeout and retries", async () => {
    manychat.setManychatClientOptions({ timeoutMs: 100, maxAttempts: 2 });
    fake.setBehaviour({ latencyMs: 1_000 });
    const started = performance.now();
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "5", ["Hi"]));
    expect(err).toMatchObject({ reason: "timeout", retryable: true, attempts: 2, status: null });
    expect(err.message).toMatch(/did not answer within 0.1 s/);
    // Two attempts cut at 100 ms each, not two waits for the 1 s answer.
    expect(performance.now() - started).toBeLessThan(900);
  });

  it("stops when the caller aborts", async () => {
    fake.setBehaviour({ latencyMs: 300 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = await failure(manychat.sendWhatsAppMessages(KEY, "5", ["Hi"], { signal: ctl.signal }));
    expect(err).toMatchObject({ reason: "aborted", retryable: false });
  });

  it("keeps one key under 25 requests per second", async () => {
    const started = performance.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => manychat.sendWhatsAppMessages(KEY, "5", [`Hi ${i}`])));
    const elapsed = performance.now() - started;

    // Burst 4, then 20 per second: 56 / 20 = 2.8 s.
    expect(elapsed).toBeGreaterThanOrEqual(2_700);
    const times = fake.calls("sendContent").map((r) => Date.parse(r.at));
    expect(times).toHaveLength(60);
    for (const [i, t] of times.entries()) {
      const inOneSecond = times.slice(i).filter((u) => u < t + 1000).length;
      expect(inOneSecond).toBeLessThan(25);
    }
    // Sent in the order they were asked for.
    expect(fake.calls("sendContent").map((_, i) => sentTexts(i)[0])).toEqual(
      Array.from({ length: 60 }, (_, i) => `Hi ${i}`),
    );
  });

  it("throttles each key on its own", async () => {
    manychat.setManychatClientOptions({ ratePerSecond: 50, burst: 1 });
    const started = performance.now();
    const busy = Promise.all(Array.from({ length: 21 }, () => manychat.sendWhatsAppMessages(KEY, "5", ["Hi"])));
    const otherKeyStarted = performance.now();
    await manychat.sendWhatsAppMessages("654321:other-token", "5", ["Hi"]);
    const otherKeyTook = performance.now() - otherKeyStarted;
    await busy;
    const busyTook = performance.now() - started;

    expect(busyTook).toBeGreaterThanOrEqual(390); // 20 waits of 20 ms
    expect(otherKeyTook).toBeLessThan(150);
  });
});
