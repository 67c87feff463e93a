import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A local stand-in for the Gemini API (generativelanguage.googleapis.com) speaking its
 * wire format, for tests. The app's real client (@google/genai) is pointed at it with
 * GEMINI_BASE_URL; it sends `POST /v1beta/models/{model}:{method}` with `x-goog-api-key`.
 *
 * - :batchEmbedContents → deterministic embeddings by feature hashing (word unigrams and
 *   bigrams, character trigrams), so similar texts are close. Like Gemini, vectors are
 *   unit length only at the native 3072 dimensions; truncated ones are not.
 * - :generateContent → if the prompt has numbered sources ("[1] …"), quotes the source
 *   sentence sharing most words with the question and cites it; a JSON response is
 *   built from the schema; an inline PDF gets per-page text set by the test (OCR).
 * - Behaviour (failures, latency, generation overrides) is set in-process with
 *   setBehaviour() or from another process:
 *   POST /__fake/behaviour (JSON patch) · GET /__fake/behaviour · GET /__fake/requests ·
 *   POST /__fake/reset (forget requests and behaviour).
 */

export type GeminiMethod = "batchEmbedContents" | "generateContent";

export interface GeminiFakeBehaviour {
  /** Fail calls with Google's error for this status, or drop the connection ("reset"). */
  fail: {
    error: 400 | 403 | 404 | 429 | 500 | 503 | 504 | "reset";
    /** How many calls fail; every call when omitted. */
    times?: number;
    /** RetryInfo.retryDelay of a 429, e.g. "15s"; none when omitted. */
    retryDelay?: string;
    /** Only this method fails. */
    method?: GeminiMethod;
    /** Google's error message instead of the usual one for the status (Google may quote the input it refused). */
    message?: string;
  } | null;
  /** Added before every answer. */
  latencyMs: number;
  /** Forces the generateContent answer. */
  generate: { text?: string; finishReason?: string; blockReason?: string } | null;
  /** OCR text per page: one string for every page, or by page number. */
  ocrText: string | Record<string, string>;
  /** The only accepted key; when null any key is accepted except one starting with "bad". */
  apiKey: string | null;
}

export interface GeminiFakeRequest {
  method: string;
  model: string;
  path: string;
  apiKey: string | null;
  body: unknown;
  /** Status answered (0 for a dropped connection; null while pending). */
  status: number | null;
  at: string;
}

const initialBehaviour = (): GeminiFakeBehaviour => ({
  fail: null,
  latencyMs: 0,
  generate: null,
  ocrText: "Scanned page text",
  apiKey: null,
});

export async function startGeminiFake(opts: { port?: number; apiKey?: string } = {}) {
  const requests: GeminiFakeRequest[] = [];
  let behaviour = initialBehaviour();
  const setBehaviour = (patch: Partial<GeminiFakeBehaviour>) => {
    behaviour = { ...behaviour, ...patch };
    return behaviour;
  };
  const reset = () => {
    requests.length = 0;
    behaviour = { ...initialBehaviour(), apiKey: opts.apiKey ?? null };
  };
  reset();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(body));
    };

    if (url.pathname.startsWith("/__fake/")) {
      if (url.pathname === "/__fake/requests") return send(200, requests);
      if (url.pathname === "/__fake/reset" && req.method === "POST") {
        reset();
        return send(200, { ok: true });
      }
      if (url.pathname === "/__fake/behaviour") {
        if (req.method === "POST") return send(200, setBehaviour(raw ? JSON.parse(raw) : {}));
        return send(200, behaviour);
      }
      return send(404, { error: "unknown fake control path" });
    }

    const route = /^\/(v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/.exec(url.pathname);
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(400, googleError(400, `Invalid JSON payload received. Unexpected token.`));
    }
    const apiKey = (req.headers["x-goog-api-key"] as string | undefined) ?? url.searchParams.get("key");
    const entry: GeminiFakeRequest = {
      method: route?.[3] ?? url.pathname,
      model: route?.[2] ?? "",
      path: url.pathname,
      apiKey,
      body,
      status: null,
      at: new Date().toISOString(),
    };
    requests.push(entry);
    const reply = (status: number, payload: unknown) => {
      entry.status = status;
      send(status, payload);
    };

    if (behaviour.latencyMs > 0) await sleep(behaviour.latencyMs);
    if (req.method !== "POST" || !route) {
      return reply(404, googleError(404, `The requested URL ${url.pathname} was not found on this server.`));
    }
    if (!apiKey) {
      return reply(
        403,
        googleError(
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ),
      );
    }
    if (behaviour.apiKey ? apiKey !== behaviour.apiKey : apiKey.startsWith("bad")) {
      return reply(400, invalidKeyError());
    }

    const method = route[3] as string;
    const fail = behaviour.fail;
    if (fail && (!fail.method || fail.method === method)) {
      if (fail.times !== undefined) {
        const left = fail.times - 1;
        behaviour = { ...behaviour, fail: left > 0 ? { ...fail, times: left } : null };
      }
      if (fail.error === "reset") {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      return reply(fail.error, googleError(fail.error, fail.message, fail.retryDelay));
    }

    const model = route[2] as string;
    if (method === "batchEmbedContents") {
      const r = batchEmbed(model, body);
      return reply(r.status, r.body);
    }
    if (method === "generateContent") {
      const r = generate(model, body, behaviour);
      return reply(r.status, r.body);
    }
    return reply(
      404,
      googleError(404, `models/${model} is not found for API version ${route[1]}, or is not supported for ${method}.`),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Requests of one method, e.g. calls("batchEmbedContents"). */
    calls: (method: GeminiMethod) => requests.filter((r) => r.method === method),
    behaviour: () => behaviour,
    setBehaviour,
    setOcrText: (text: GeminiFakeBehaviour["ocrText"]) => setBehaviour({ ocrText: text }),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type GeminiFake = Awaited<ReturnType<typeof startGeminiFake>>;

// ---------------------------------------------------------------- errors

const statusNames: Record<number, [string, string]> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  403: ["PERMISSION_DENIED", "The caller does not have permission"],
  404: ["NOT_FOUND", "Requested entity was not found."],
  429: [
    "RESOURCE_EXHAUSTED",
    "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
  ],
  500: [
    "INTERNAL",
    "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  ],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "The request timed out. Please try again."],
};

/** Google's error envelope (google.rpc.Status as JSON). */
export function googleError(code: number, message?: string, retryDelay?: string) {
  const [status, defaultMessage] = statusNames[code] ?? ["UNKNOWN", "Unknown error."];
  const details: unknown[] = [];
  if (code === 429) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [
        {
          quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
          quotaDimensions: { location: "global", model: "gemini-2.5-flash" },
          quotaValue: "10",
        },
      ],
    });
    details.push({
      "@type": "type.googleapis.com/google.rpc.Help",
      links: [
        { description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" },
      ],
    });
    if (retryDelay) details.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });
  }
  return { error: { code, message: message ?? defaultMessage, status, ...(details.length ? { details } : {}) } };
}

function invalidKeyError() {
  const message = "API key not valid. Please pass a valid API key.";
  return {
    error: {
      code: 400,
      message,
      status: "INVALID_ARGUMENT",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
          metadata: { service: "generativelanguage.googleapis.com" },
        },
        { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
      ],
    },
  };
}

// ---------------------------------------------------------------- embeddings

const NATIVE_DIMENSIONS = 3072;

interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}
interface ContentJson {
  role?: string;
  parts?: Part[];
}

function batchEmbed(model: string, body: unknown) {
  const requests = (body as { requests?: unknown })?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return { status: 400, body: googleError(400, "* BatchEmbedContentsRequest.requests: requests is required\n") };
  }
  if (requests.length > 100) {
    return {
      status: 400,
      body: googleError(400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"),
    };
  }
  const embeddings: { values: number[] }[] = [];
  for (const [i, r] of (
    requests as { model?: string; content?: ContentJson; outputDimensionality?: number }[]
  ).entries()) {
    if (r.model !== `models/${model}`) {
      return {
        status: 400,
        body: googleError(
          400,
          `* BatchEmbedContentsRequest.requests[${i}].model: Model '${r.model}' does not match the model in the path 'models/${model}'.\n`,
        ),
      };
    }
    const text = (r.content?.parts ?? []).map((p) => p.text ?? "").join(" ");
    if (text.trim() === "") {
      return {
        status: 400,
        body: googleError(400, `* BatchEmbedContentsRequest.requests[${i}].content: contents must not be empty\n`),
      };
    }
    const dims = r.outputDimensionality ?? NATIVE_DIMENSIONS;
    if (!Number.isInteger(dims) || dims < 1 || dims > NATIVE_DIMENSIONS) {
      return { status: 400, body: googleError(400, "* outputDimensionality must be between 1 and 3072.\n") };
    }
    embeddings.push({ values: fakeEmbedding(text, dims) });
  }
  return { status: 200, body: { embeddings } };
}

/** Signed feature hashing of word unigrams, word bigrams and character trigrams. */
export function fakeEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % dims] = (v[h % dims] as number) + (fnv1a(feature, 0x9747b28c) & 1 ? weight : -weight);
  };
  const words = words_(text);
  for (const [i, w] of words.entries()) {
    add(`w:${w}`, 1);
    if (i > 0) add(`b:${words[i - 1]} ${w}`, 0.7);
    const padded = ` ${w} `;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.3);
  }
  let norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (norm === 0) {
    add("empty", 1);
    norm = 1;
  }
  // Like Gemini: only full-size vectors are unit length; truncated ones are not.
  const scale = dims === NATIVE_DIMENSIONS ? 1 : 0.6 + (fnv1a(text) % 30) / 100;
  return v.map((x) => (x / norm) * scale);
}

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function words_(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

// ---------------------------------------------------------------- generation

interface GenerateBody {
  contents?: ContentJson[];
  systemInstruction?: ContentJson;
  generationConfig?: { responseMimeType?: string; responseSchema?: unknown; responseJsonSchema?: unknown };
}

function generate(model: string, raw: unknown, behaviour: GeminiFakeBehaviour) {
  const body = (raw ?? {}) as GenerateBody;
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return { status: 400, body: googleError(400, "* GenerateContentRequest.contents: contents is not specified\n") };
  }
  const parts = body.contents.flatMap((c) => c.parts ?? []);
  const system = (body.systemInstruction?.parts ?? []).map((p) => p.text ?? "").join("\n");
  const userText = parts.map((p) => p.text ?? "").join("\n");
  const pdf = parts.some((p) => p.inlineData?.mimeType === "application/pdf");
  const promptTokens = tokens(`${system}\n${userText}`) + (pdf ? 258 : 0);
  const meta = { modelVersion: model, responseId: randomUUID().replaceAll("-", "").slice(0, 22) };
  const override = behaviour.generate;

  if (override?.blockReason) {
    return {
      status: 200,
      body: {
        promptFeedback: { blockReason: override.blockReason },
        usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
        ...meta,
      },
    };
  }

  let text: string;
  const config = body.generationConfig ?? {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (override?.text !== undefined) {
    text = override.text;
  } else if (pdf && config.responseMimeType === "application/json") {
    const pages = /^Pages:\s*([\d,\s]+)$/m.exec(userText)?.[1]?.match(/\d+/g)?.map(Number) ?? [1];
    const ocr = behaviour.ocrText;
    text = JSON.stringify(
      pages.map((page) => ({ page, text: typeof ocr === "string" ? ocr : (ocr[String(page)] ?? "") })),
    );
  } else if (/standalone question/i.test(system)) {
    // Question rewriting: the last message, without the conversation around it.
    text = /Last message:\s*([\s\S]+)$/.exec(userText)?.[1]?.trim() ?? userText;
  } else {
    const answer = answerFromSources(`${system}\n${userText}`, lastUserText(body.contents));
    text =
      config.responseMimeType === "application/json"
        ? JSON.stringify(schema ? sampleFromSchema(schema, answer) : { answer: answer.text })
        : answer.text;
  }

  const finishReason = override?.finishReason ?? "STOP";
  const candidate: Record<string, unknown> = { finishReason, index: 0 };
  if (finishReason === "MAX_TOKENS") text = text.slice(0, Math.ceil(text.length / 2));
  const withContent = finishReason === "STOP" || finishReason === "MAX_TOKENS";
  if (withContent) candidate.content = { parts: [{ text }], role: "model" };
  if (finishReason === "SAFETY") {
    candidate.safetyRatings = [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }];
  }
  const outputTokens = withContent ? tokens(text) : 0;
  return {
    status: 200,
    body: {
      candidates: [candidate],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: outputTokens,
        totalTokenCount: promptTokens + outputTokens,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
      },
      ...meta,
    },
  };
}

const tokens = (s: string) => Math.ceil(s.length / 4);

function lastUserText(contents: ContentJson[]): string {
  const user = [...contents].reverse().find((c) => (c.role ?? "user") === "user");
  return (user?.parts ?? []).map((p) => p.text ?? "").join("\n");
}

const STOPWORDS = new Set(
  "the and for are was were with that this what which who whom how when where why can could does did you your our their have has had from into about there here them they not but any all will would should may might its it's is do i a an of to in on at by be or as me my we us".split(
    " ",
  ),
);

/** Splits "[n] …" source blocks (a block runs until a blank or "Label:" line) from the rest. */
function splitSources(text: string): { sources: Map<number, string>; rest: string } {
  const sources = new Map<number, string>();
  let current: number | null = null;
  const rest: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*\[(\d+)\]\s*(.*)$/.exec(line);
    if (m) {
      // A repeated number (e.g. an example in the instructions) does not start a source.
      current = sources.has(Number(m[1])) ? null : Number(m[1]);
      if (current !== null) sources.set(current, m[2] as string);
      else rest.push(line);
    } else if (current !== null && line.trim() !== "" && !/^\s*[\p{L} ]{2,20}:/u.test(line)) {
      sources.set(current, `${sources.get(current)} ${line.trim()}`);
    } else {
      current = null;
      rest.push(line);
    }
  }
  return { sources, rest: rest.join("\n") };
}

/** Quotes the source sentence sharing most words with the question, citing its number. */
function answerFromSources(prompt: string, lastUser: string): { text: string; citation: number | null } {
  const { sources } = splitSources(prompt);
  const question = /question\s*:\s*([\s\S]+)/i.exec(lastUser)?.[1] ?? splitSources(lastUser).rest;
  if (sources.size === 0) {
    const gist = question.replace(/\s+/g, " ").trim().slice(0, 120);
    return { text: `Fake Gemini answer to: ${gist}`, citation: null };
  }
  const stem = (w: string) => w.replace(/(ies|es|s)$/, "");
  const wanted = new Set(
    words_(question)
      .filter((w) => w.length >= 3 && !STOPWORDS.has(w))
      .map(stem),
  );
  let best: { score: number; sentence: string; n: number } | null = null;
  for (const [n, source] of [...sources.entries()].sort((a, b) => a[0] - b[0])) {
    const cleaned = source.replace(/^\s*\([^)]*\)\s*/, "").trim();
    for (const sentence of cleaned.split(/(?<=[.!?])\s+/)) {
      const have = new Set(words_(sentence).map(stem));
      const score = [...wanted].filter((w) => have.has(w)).length;
      if (score > 0 && (!best || score > best.score)) best = { score, sentence: sentence.trim(), n };
    }
  }
  if (!best) return { text: "I could not find this in the documents.", citation: null };
  return { text: `${best.sentence} [${best.n}]`, citation: best.n };
}

/** A value matching a response schema (OpenAPI subset or JSON Schema) built from the answer. */
function sampleFromSchema(schema: unknown, answer: { text: string; citation: number | null }, key = ""): unknown {
  const s = (schema ?? {}) as {
    type?: string | string[];
    enum?: unknown[];
    properties?: Record<string, unknown>;
    items?: unknown;
    anyOf?: unknown[];
  };
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return sampleFromSchema(s.anyOf[0], answer, key);
  const type = String(
    Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? "object" : "string")),
  ).toLowerCase();
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, sampleFromSchema(v, answer, k)]),
      );
    case "array": {
      const itemType = String((s.items as { type?: string })?.type ?? "").toLowerCase();
      if ((itemType === "integer" || itemType === "number") && answer.citation === null) return [];
      return [sampleFromSchema(s.items, answer, key)];
    }
    case "integer":
    case "number":
      return answer.citation ?? 1;
    case "boolean":
      return answer.citation !== null;
    case "null":
      return null;
    default:
      return answer.text;
  }
}
