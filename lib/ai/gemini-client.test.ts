import { Type } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GeminiFake, startGeminiFake } from "@/tests/fakes/gemini";

// No database involved: run once, in the pglite project only. (skipIf rather than an `if`
// around describe: a file without any suite fails the postgres project.)
describe.skipIf(process.env.TEST_DB === "postgres")("Gemini client against the local fake", () => {
  let fake: GeminiFake;
  let gemini: typeof import("@/lib/ai/gemini-client");

  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0) / norm(a) / norm(b);
  const sentBatch = (i: number) =>
    (fake.calls("batchEmbedContents")[i]?.body as { requests: Record<string, unknown>[] } | undefined)?.requests ?? [];
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected a GeminiError");
      },
      (err: unknown) => err as InstanceType<typeof gemini.GeminiError>,
    );

  beforeAll(async () => {
    fake = await startGeminiFake({ apiKey: "test-gemini-key" });
    // Configuration is parsed once, on first use: set it before the client is loaded.
    process.env.GEMINI_API_KEY = "test-gemini-key";
    process.env.GEMINI_BASE_URL = fake.url;
    process.env.GEMINI_MODEL = "gemini-test-flash";
    process.env.GEMINI_EMBEDDING_MODEL = "gemini-embedding-001";
    gemini = await import("@/lib/ai/gemini-client");
  });

  afterAll(async () => {
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
    gemini.resetGeminiClientOptions();
    gemini.setGeminiClientOptions({ baseDelayMs: 5, maxDelayMs: 20 });
  });

  it("is configured from GEMINI_API_KEY", () => {
    expect(gemini.geminiConfigured()).toBe(true);
  });

  it("embeds 250 texts in batches of at most 100, in order, as unit vectors of 1536 dimensions", async () => {
    const texts = Array.from({ length: 250 }, (_, i) => `Paragraph number ${i} about topic ${i % 7}`);
    const vectors = await gemini.embedTexts(texts, { task: "RETRIEVAL_DOCUMENT", title: "Manual" });

    const calls = fake.calls("batchEmbedContents");
    expect(calls.map((c) => (c.body as { requests: unknown[] }).requests.length).sort()).toEqual([100, 100, 50]);
    const first = sentBatch(0)[0];
    expect(first).toMatchObject({
      model: "models/gemini-embedding-001",
      taskType: "RETRIEVAL_DOCUMENT",
      title: "Manual",
      outputDimensionality: 1536,
    });
    expect(calls[0]).toMatchObject({ path: "/v1beta/models/gemini-embedding-001:batchEmbedContents" });
    expect(calls[0]?.apiKey).toBe("test-gemini-key");

    expect(vectors).toHaveLength(250);
    for (const v of vectors) {
      expect(v).toHaveLength(1536);
      expect(norm(v)).toBeCloseTo(1, 6);
    }
    // Order: each vector is the one of its own text.
    const [again] = await gemini.embedTexts([texts[137] as string], { task: "RETRIEVAL_DOCUMENT", title: "Manual" });
    expect(cosine(again as number[], vectors[137] as number[])).toBeCloseTo(1, 6);
    expect(cosine(again as number[], vectors[138] as number[])).toBeLessThan(0.99);
  });

  it("sends no title for queries", async () => {
    await gemini.embedTexts(["opening hours?"], { task: "RETRIEVAL_QUERY", title: "ignored" });
    const request = sentBatch(0)[0];
    expect(request?.taskType).toBe("RETRIEVAL_QUERY");
    expect(request).not.toHaveProperty("title");
  });

  it("gives similar texts closer embeddings than unrelated ones", async () => {
    const [question, answer, unrelated] = await gemini.embedTexts(
      [
        "How do I reset my password?",
        "To reset your password, open Settings and choose Reset password.",
        "Our warehouse ships pallets to Rotterdam every Tuesday.",
      ],
      { task: "RETRIEVAL_DOCUMENT" },
    );
    expect(cosine(question as number[], answer as number[])).toBeGreaterThan(
      cosine(question as number[], unrelated as number[]) + 0.2,
    );
  });

  it("waits for the RetryInfo delay of a 429, then succeeds", async () => {
    fake.setBehaviour({ fail: { error: 429, times: 1, retryDelay: "1s" } });
    const started = Date.now();
    const vectors = await gemini.embedTexts(["hello"], { task: "RETRIEVAL_QUERY" });
    expect(vectors).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.calls("batchEmbedContents").map((c) => c.status)).toEqual([429, 200]);
  });

  it("caps a long RetryInfo delay", async () => {
    gemini.setGeminiClientOptions({ retryDelayCapMs: 50 });
    fake.setBehaviour({ fail: { error: 429, times: 1, retryDelay: "3600s" } });
    const started = Date.now();
    await gemini.embedTexts(["hello"], { task: "RETRIEVAL_QUERY" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("retries 500s with backoff and succeeds", async () => {
    fake.setBehaviour({ fail: { error: 500, times: 2 } });
    const vectors = await gemini.embedTexts(["hello", "world"], { task: "RETRIEVAL_DOCUMENT" });
    expect(vectors).toHaveLength(2);
    expect(fake.calls("batchEmbedContents").map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it("retries a dropped connection", async () => {
    fake.setBehaviour({ fail: { error: "reset", times: 1 } });
    await expect(gemini.embedTexts(["hello"], { task: "RETRIEVAL_QUERY" })).resolves.toHaveLength(1);
    expect(fake.calls("batchEmbedContents")).toHaveLength(2);
  });

  it("does not retry a 400, and says what Gemini rejected", async () => {
    fake.setBehaviour({ fail: { error: 400 } });
    const err = await failure(gemini.embedTexts(["hello"], { task: "RETRIEVAL_QUERY" }));
    expect(err).toBeInstanceOf(gemini.GeminiError);
    expect(err).toMatchObject({ code: "bad_request", status: 400, retryable: false });
    expect(err.message).toMatch(/Gemini rejected the request/);
    expect(fake.calls("batchEmbedContents")).toHaveLength(1);
  });

  it("reports a wrong API key as such, without retrying", async () => {
    fake.setBehaviour({ apiKey: "rotated-key" });
    const err = await failure(gemini.generateText({ contents: "hi" }));
    expect(err).toMatchObject({ code: "invalid_api_key", status: 400, retryable: false });
    expect(err.message).toMatch(/Gemini rejected the API key/);
    expect(fake.calls("generateContent")).toHaveLength(1);
  });

  it("gives up on a permanent 503 after the maximum attempts", async () => {
    gemini.setGeminiClientOptions({ maxAttempts: 4 });
    fake.setBehaviour({ fail: { error: 503 } });
    const err = await failure(gemini.embedTexts(["hello"], { task: "RETRIEVAL_QUERY" }));
    expect(err).toMatchObject({ code: "unavailable", status: 503, retryable: true, attempts: 4 });
    expect(err.message).toMatch(/temporarily unavailable.*gave up after 4 attempts/);
    expect(fake.calls("batchEmbedContents")).toHaveLength(4);
  });

  it("stops the other batches when one fails for good", async () => {
    fake.setBehaviour({ fail: { error: 403 } });
    const texts = Array.from({ length: 1000 }, (_, i) => `text ${i}`);
    const err = await failure(gemini.embedTexts(texts, { task: "RETRIEVAL_DOCUMENT" }));
    expect(err).toMatchObject({ code: "permission_denied", status: 403 });
    // Three batches were in flight; the seven others were never sent.
    expect(fake.calls("batchEmbedContents").length).toBeLessThanOrEqual(3);
  });

  it("times out a call that takes too long", async () => {
    gemini.setGeminiClientOptions({ embedTimeoutMs: 150, maxAttempts: 2 });
    fake.setBehaviour({ latencyMs: 1_000 });
    const started = Date.now();
    const err = await failure(gemini.embedTexts(["slow"], { task: "RETRIEVAL_QUERY" }));
    expect(err).toMatchObject({ code: "timeout", status: null, retryable: true, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("stops when the caller aborts", async () => {
    fake.setBehaviour({ latencyMs: 1_000 });
    const err = await failure(
      gemini.embedTexts(["slow"], { task: "RETRIEVAL_QUERY", signal: AbortSignal.timeout(100) }),
    );
    expect(err).toMatchObject({ code: "aborted", retryable: false });
  });

  it("generates text with a system instruction and reports usage", async () => {
    const res = await gemini.generateText({
      system: "Answer only from the numbered sources and cite them like [1].",
      contents: [
        "Sources:",
        "[1] (Handbook, page 2) The shop opens at 9 am. It closes at 6 pm on weekdays.",
        "[2] (Handbook, page 5) Returns are accepted within 30 days with a receipt.",
        "",
        "Question: Within how many days are returns accepted?",
      ].join("\n"),
    });
    expect(res.text).toBe("Returns are accepted within 30 days with a receipt. [2]");
    expect(res.finishReason).toBe("STOP");
    expect(res.blockReason).toBeNull();
    expect(res.usage.promptTokens).toBeGreaterThan(0);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.usage.totalTokens).toBe(res.usage.promptTokens + res.usage.outputTokens);
    const call = fake.calls("generateContent")[0];
    expect(call?.path).toBe("/v1beta/models/gemini-test-flash:generateContent");
    expect(call?.body).toMatchObject({ systemInstruction: { parts: [{ text: expect.stringMatching(/numbered/) }] } });
  });

  it("returns JSON matching a response schema", async () => {
    const res = await gemini.generateText({
      contents: "[1] Parking is free for customers.\n\nQuestion: Is parking free?",
      responseMimeType: "application/json",
      responseSchema: {
        type: Type.OBJECT,
        properties: { answer: { type: Type.STRING }, citations: { type: Type.ARRAY, items: { type: Type.INTEGER } } },
      },
    });
    expect(JSON.parse(res.text)).toEqual({ answer: "Parking is free for customers. [1]", citations: [1] });
  });

  it("surfaces a SAFETY stop and a blocked prompt instead of inventing text", async () => {
    fake.setBehaviour({ generate: { finishReason: "SAFETY" } });
    const stopped = await gemini.generateText({ contents: "something" });
    expect(stopped).toMatchObject({ text: "", finishReason: "SAFETY", blockReason: null });

    fake.setBehaviour({ generate: { blockReason: "PROHIBITED_CONTENT" } });
    const blocked = await gemini.generateText({ contents: "something" });
    expect(blocked).toMatchObject({ text: "", finishReason: null, blockReason: "PROHIBITED_CONTENT" });
  });

  it("retries generation on a 504", async () => {
    fake.setBehaviour({ fail: { error: 504, times: 1, method: "generateContent" } });
    const res = await gemini.generateText({ contents: "hello" });
    expect(res.finishReason).toBe("STOP");
    expect(fake.calls("generateContent").map((c) => c.status)).toEqual([504, 200]);
  });

  it("reads scanned pages through inline PDF OCR", async () => {
    fake.setOcrText({ "2": "Page two words", "5": "Page five words" });
    const pdf = new TextEncoder().encode("%PDF-1.4 fake");
    const pages = await gemini.ocrPdf(pdf, [5, 2, 2]);
    expect([...pages.entries()]).toEqual([
      [2, "Page two words"],
      [5, "Page five words"],
    ]);
    const body = fake.calls("generateContent")[0]?.body as {
      contents: { parts: { inlineData?: { mimeType: string; data: string } }[] }[];
      generationConfig: { responseMimeType: string };
    };
    expect(body.contents[0]?.parts[0]?.inlineData).toEqual({
      mimeType: "application/pdf",
      data: Buffer.from(pdf).toString("base64"),
    });
    expect(body.generationConfig.responseMimeType).toBe("application/json");
  });

  it("returns the configured default text for every OCR page", async () => {
    const pages = await gemini.ocrPdf(new Uint8Array([37, 80, 68, 70]), [1, 3]);
    expect(pages.get(1)).toBe("Scanned page text");
    expect(pages.get(3)).toBe("Scanned page text");
  });

  it("splits an OCR group that Gemini truncates, and leaves out a page it will not read", async () => {
    fake.setBehaviour({ generate: { finishReason: "RECITATION" } });
    const pages = await gemini.ocrPdf(new Uint8Array([37, 80, 68, 70]), [1, 2]);
    expect(pages.size).toBe(0);
    // [1, 2] → [1] and [2]
    expect(fake.calls("generateContent")).toHaveLength(3);
  });

  it("is controllable over HTTP, for an app running in another process", async () => {
    const set = await fetch(`${fake.url}/__fake/behaviour`, {
      method: "POST",
      body: JSON.stringify({ fail: { error: 503, times: 1 } }),
    });
    expect(await set.json()).toMatchObject({ fail: { error: 503, times: 1 } });
    await gemini.embedTexts(["over http"], { task: "RETRIEVAL_QUERY" });
    const seen = (await (await fetch(`${fake.url}/__fake/requests`)).json()) as { status: number }[];
    expect(seen.map((r) => r.status)).toEqual([503, 200]);
    await fetch(`${fake.url}/__fake/reset`, { method: "POST" });
    expect(fake.requests).toHaveLength(0);
  });

  it("rejects requests the way Google does: no key, too many texts", async () => {
    const noKey = await fetch(`${fake.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests: [] }),
    });
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });

    const tooMany = await fetch(`${fake.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "test-gemini-key" },
      body: JSON.stringify({
        requests: Array.from({ length: 101 }, () => ({
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "x" }] },
        })),
      }),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
  });
});
