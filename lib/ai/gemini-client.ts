import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, type Content, GoogleGenAI, type Schema, Type } from "@google/genai";
import { z } from "zod";
import { EMBEDDING_DIMENSIONS, type EmbeddingTask } from "@/lib/ai/embeddings";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { metrics, recordExternalCall } from "@/lib/metrics";

/**
 * The one door to Gemini. The SDK sends the requests; this module adds what the SDK
 * leaves to callers (FACTS.md, "Gemini"): batching of embeddings, L2 normalisation of
 * 1536-d vectors, a per-attempt timeout, and retries that honour Google's RetryInfo.
 */

export type GeminiErrorCode =
  | "not_configured"
  | "invalid_api_key"
  | "permission_denied"
  | "quota_exhausted"
  | "bad_request"
  | "model_not_found"
  | "unavailable"
  | "timeout"
  | "network"
  | "aborted"
  | "invalid_response";

export class GeminiError extends Error {
  override name = "GeminiError";
  /** HTTP status Gemini answered with; null when no answer came (timeout, network, abort). */
  readonly status: number | null;
  /** Whether the same request may succeed later (a job can be rescheduled). */
  readonly retryable: boolean;
  /** Wait Gemini asked for (429 RetryInfo), in milliseconds. */
  readonly retryAfterMs: number | null;
  attempts = 1;

  constructor(
    readonly code: GeminiErrorCode,
    message: string,
    opts: { status?: number | null; retryable?: boolean; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.status = opts.status ?? null;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export interface GeminiClientOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a 429's RetryInfo.retryDelay. */
  retryDelayCapMs: number;
  embedTimeoutMs: number;
  generateTimeoutMs: number;
  ocrTimeoutMs: number;
}

const defaults: GeminiClientOptions = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  retryDelayCapMs: 60_000,
  embedTimeoutMs: 30_000,
  generateTimeoutMs: 60_000,
  ocrTimeoutMs: 180_000,
};
let options: GeminiClientOptions | undefined;

/** Defaults, with the retry policy from configuration (GEMINI_MAX_ATTEMPTS, GEMINI_RETRY_BASE_MS). */
function currentOptions(): GeminiClientOptions {
  options ??= {
    ...defaults,
    maxAttempts: config().GEMINI_MAX_ATTEMPTS,
    baseDelayMs: config().GEMINI_RETRY_BASE_MS,
  };
  return options;
}

/** Tests shorten the waits; production keeps the defaults. */
export function setGeminiClientOptions(patch: Partial<GeminiClientOptions>): void {
  options = { ...currentOptions(), ...patch };
}

export function resetGeminiClientOptions(): void {
  options = undefined;
}

export function geminiConfigured(): boolean {
  return Boolean(config().GEMINI_API_KEY);
}

let client: { key: string; ai: GoogleGenAI } | undefined;

function gemini(): GoogleGenAI {
  const { GEMINI_API_KEY: apiKey, GEMINI_BASE_URL: baseUrl } = config();
  if (!apiKey) {
    throw new GeminiError("not_configured", "Gemini is not configured: set GEMINI_API_KEY.");
  }
  const key = `${apiKey}\n${baseUrl ?? ""}`;
  if (client?.key !== key) {
    // vertexai is pinned so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot reroute calls.
    const ai = new GoogleGenAI({
      apiKey,
      vertexai: false,
      apiVersion: "v1beta",
      httpOptions: baseUrl ? { baseUrl } : {},
    });
    client = { key, ai };
  }
  return client.ai;
}

// ---------------------------------------------------------------- embeddings

const EMBED_BATCH_SIZE = 100; // Gemini rejects larger batches with 400
const EMBED_CONCURRENCY = 3;

export async function embedTexts(
  texts: string[],
  opts: { task: EmbeddingTask; title?: string; signal?: AbortSignal },
): Promise<number[][]> {
  if (texts.length === 0) return [];
  const empty = texts.findIndex((t) => t.trim() === "");
  if (empty >= 0) throw new GeminiError("bad_request", `Cannot embed an empty text (index ${empty}).`);
  const ai = gemini();
  const model = config().GEMINI_EMBEDDING_MODEL;
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH_SIZE) batches.push(texts.slice(i, i + EMBED_BATCH_SIZE));

  const vectors = await mapWithConcurrency(batches, EMBED_CONCURRENCY, opts.signal, (batch, signal) =>
    withRetries("embed", signal, async (attemptSignal) => {
      const res = await ai.models.embedContent({
        model,
        contents: batch,
        config: {
          taskType: opts.task,
          // Gemini only uses a title for documents.
          ...(opts.task === "RETRIEVAL_DOCUMENT" && opts.title ? { title: opts.title } : {}),
          outputDimensionality: EMBEDDING_DIMENSIONS,
          abortSignal: attemptSignal,
          httpOptions: { timeout: currentOptions().embedTimeoutMs },
        },
      });
      const values = (res.embeddings ?? []).map((e) => e.values ?? []);
      if (values.length !== batch.length || values.some((v) => v.length !== EMBEDDING_DIMENSIONS)) {
        throw new GeminiError(
          "invalid_response",
          `Gemini returned ${values.length} embeddings of ${values[0]?.length ?? 0} dimensions for ${batch.length} texts; expected ${EMBEDDING_DIMENSIONS} dimensions each.`,
        );
      }
      // Vectors shorter than the model's native 3072 dimensions are not unit length.
      return values.map(l2Normalise);
    }),
  );
  return vectors.flat();
}

function l2Normalise(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** Runs fn over items, at most `limit` at a time, keeping order; the first failure stops the rest. */
async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  parent: AbortSignal | undefined,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const stop = new AbortController();
  const onParentAbort = () => stop.abort();
  parent?.addEventListener("abort", onParentAbort, { once: true });
  if (parent?.aborted) stop.abort();
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop.signal.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, stop.signal);
      } catch (err) {
        stop.abort();
        throw err;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  } finally {
    parent?.removeEventListener("abort", onParentAbort);
  }
  if (stop.signal.aborted) throw new GeminiError("aborted", "The Gemini request was cancelled.");
  return results;
}

// ---------------------------------------------------------------- generation

export interface GenerateTextRequest {
  system?: string;
  /** A plain prompt (one user turn) or full contents, e.g. with inline files. */
  contents: string | Content[];
  responseMimeType?: "text/plain" | "application/json";
  responseSchema?: Schema;
  temperature?: number;
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

export interface GenerateTextResult {
  /** Concatenated text parts of the first candidate ("" when blocked). */
  text: string;
  /** STOP, MAX_TOKENS, SAFETY, RECITATION, …; null when the prompt itself was blocked. */
  finishReason: string | null;
  /** promptFeedback.blockReason: the prompt was refused and there is no candidate. */
  blockReason: string | null;
  /** outputTokens includes thinking tokens, which are billed as output. */
  usage: { promptTokens: number; outputTokens: number; totalTokens: number };
  modelVersion: string | null;
}

export async function generateText(
  req: GenerateTextRequest,
  opts: { op?: string; timeoutMs?: number } = {},
): Promise<GenerateTextResult> {
  const ai = gemini();
  const model = config().GEMINI_MODEL;
  const op = opts.op ?? "generate";
  const result = await withRetries(op, req.signal, async (attemptSignal) => {
    const res = await ai.models.generateContent({
      model,
      contents: req.contents,
      config: {
        ...(req.system ? { systemInstruction: req.system } : {}),
        ...(req.responseMimeType ? { responseMimeType: req.responseMimeType } : {}),
        ...(req.responseSchema ? { responseSchema: req.responseSchema } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.maxOutputTokens !== undefined ? { maxOutputTokens: req.maxOutputTokens } : {}),
        abortSignal: attemptSignal,
        httpOptions: { timeout: opts.timeoutMs ?? currentOptions().generateTimeoutMs },
      },
    });
    const candidate = res.candidates?.[0];
    const text = (candidate?.content?.parts ?? [])
      .filter((p) => typeof p.text === "string" && !p.thought)
      .map((p) => p.text)
      .join("");
    const u = res.usageMetadata;
    const promptTokens = u?.promptTokenCount ?? 0;
    const outputTokens = (u?.candidatesTokenCount ?? 0) + (u?.thoughtsTokenCount ?? 0);
    return {
      text,
      finishReason: candidate?.finishReason ?? null,
      blockReason: res.promptFeedback?.blockReason ?? null,
      usage: { promptTokens, outputTokens, totalTokens: u?.totalTokenCount ?? promptTokens + outputTokens },
      modelVersion: res.modelVersion ?? null,
    };
  });
  metrics().geminiTokens.inc({ op, type: "prompt" }, result.usage.promptTokens);
  metrics().geminiTokens.inc({ op, type: "output" }, result.usage.outputTokens);
  return result;
}

// ---------------------------------------------------------------- OCR

/** Inline data shares the 20 MB request limit and grows by a third in base64. */
export const MAX_INLINE_PDF_BYTES = 14 * 1024 * 1024;
const OCR_PAGES_PER_CALL = 20;

const ocrSchema: Schema = {
  type: Type.ARRAY,
  items: {
    type: Type.OBJECT,
    properties: { page: { type: Type.INTEGER }, text: { type: Type.STRING } },
    required: ["page", "text"],
    propertyOrdering: ["page", "text"],
  },
};
const ocrAnswer = z.array(z.object({ page: z.number().int(), text: z.string() }));

const OCR_SYSTEM = [
  "You transcribe pages of PDF documents, including scanned ones.",
  "Return only the text visible on each requested page, in reading order, as plain text.",
  "Do not summarise, translate, correct or comment. Use an empty string for a page without text.",
].join(" ");

/**
 * Reads the text of the given pages (numbered from 1) with Gemini's native PDF
 * understanding. A page Gemini would not transcribe (blocked, truncated) is absent from
 * the result and logged; quota, key and network failures throw.
 */
export async function ocrPdf(
  pdfBytes: Uint8Array,
  pageNumbers: number[],
  opts: { signal?: AbortSignal } = {},
): Promise<Map<number, string>> {
  const pages = [...new Set(pageNumbers)].filter((p) => Number.isInteger(p) && p >= 1).sort((a, b) => a - b);
  const result = new Map<number, string>();
  if (pages.length === 0) return result;
  if (pdfBytes.byteLength > MAX_INLINE_PDF_BYTES) {
    throw new GeminiError(
      "bad_request",
      `The PDF is too large to send to Gemini for OCR (${(pdfBytes.byteLength / 1048576).toFixed(1)} MB; at most ${MAX_INLINE_PDF_BYTES / 1048576} MB).`,
    );
  }
  const data = Buffer.from(pdfBytes.buffer, pdfBytes.byteOffset, pdfBytes.byteLength).toString("base64");
  for (let i = 0; i < pages.length; i += OCR_PAGES_PER_CALL) {
    await ocrGroup(data, pages.slice(i, i + OCR_PAGES_PER_CALL), result, opts.signal);
  }
  return result;
}

async function ocrGroup(data: string, pages: number[], into: Map<number, string>, signal?: AbortSignal) {
  const res = await generateText(
    {
      system: OCR_SYSTEM,
      contents: [
        {
          role: "user",
          parts: [
            { inlineData: { mimeType: "application/pdf", data } },
            {
              text: `Transcribe these pages of the attached PDF (pages are numbered from 1).\nPages: ${pages.join(", ")}\nAnswer with one {"page", "text"} entry per page.`,
            },
          ],
        },
      ],
      responseMimeType: "application/json",
      responseSchema: ocrSchema,
      temperature: 0,
      signal,
    },
    { op: "ocr", timeoutMs: currentOptions().ocrTimeoutMs },
  );
  const parsed = res.finishReason === "STOP" ? safeParseOcr(res.text) : null;
  if (parsed) {
    for (const { page, text } of parsed) if (pages.includes(page)) into.set(page, text.trim());
    return;
  }
  if (pages.length > 1) {
    // A long group can run out of output tokens or trip a filter: halve it and try again.
    const half = Math.ceil(pages.length / 2);
    await ocrGroup(data, pages.slice(0, half), into, signal);
    await ocrGroup(data, pages.slice(half), into, signal);
    return;
  }
  log.warn(
    { page: pages[0], finishReason: res.finishReason, blockReason: res.blockReason },
    "Gemini did not transcribe a PDF page",
  );
}

function safeParseOcr(text: string) {
  try {
    const r = ocrAnswer.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- retries

async function withRetries<T>(
  op: string,
  signal: AbortSignal | undefined,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw new GeminiError("aborted", "The Gemini request was cancelled.");
    // A fresh signal per attempt: the SDK leaves its listener on the signal it is given.
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    let error: GeminiError;
    const started = performance.now();
    try {
      const result = await attempt(ctl.signal);
      recordExternalCall("gemini", op, 200, started, true);
      return result;
    } catch (err) {
      error = toGeminiError(err, signal, op);
      recordExternalCall("gemini", op, error.status ?? error.code, started, false);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    error.attempts = n;
    if (!error.retryable || n >= currentOptions().maxAttempts) {
      if (n > 1) error.message = `${error.message} (gave up after ${n} attempts)`;
      throw error;
    }
    const backoff = Math.min(currentOptions().maxDelayMs, currentOptions().baseDelayMs * 2 ** (n - 1));
    const delay =
      error.retryAfterMs !== null
        ? Math.min(error.retryAfterMs, currentOptions().retryDelayCapMs)
        : Math.round(backoff / 2 + (Math.random() * backoff) / 2);
    log.warn(
      { op, attempt: n, code: error.code, status: error.status, delayMs: delay },
      "Gemini call failed, retrying",
    );
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      throw new GeminiError("aborted", "The Gemini request was cancelled.");
    }
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

interface GoogleErrorBody {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: Array<{ "@type"?: string; reason?: string; retryDelay?: string; violations?: { quotaId?: string }[] }>;
  };
}

function toGeminiError(err: unknown, callerSignal: AbortSignal | undefined, op: string): GeminiError {
  if (err instanceof GeminiError) return err;
  if (callerSignal?.aborted) return new GeminiError("aborted", "The Gemini request was cancelled.", { cause: err });
  if (err instanceof ApiError) return fromApiError(err, op);
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
    // Only the SDK's own per-attempt timer aborts without the caller having aborted.
    const ms =
      op === "ocr"
        ? currentOptions().ocrTimeoutMs
        : op === "embed"
          ? currentOptions().embedTimeoutMs
          : currentOptions().generateTimeoutMs;
    return new GeminiError("timeout", `Gemini did not answer within ${ms / 1000} s.`, { retryable: true, cause: err });
  }
  const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new GeminiError("network", `Could not reach Gemini (${cause}).`, { retryable: true, cause: err });
}

function fromApiError(err: ApiError, op: string): GeminiError {
  let body: GoogleErrorBody = {};
  try {
    body = JSON.parse(err.message) as GoogleErrorBody;
  } catch {
    // not JSON: keep the raw message below
  }
  const status = err.status;
  const detail = body.error?.message ?? err.message;
  const details = body.error?.details ?? [];
  const opts = { status, cause: err };
  if (status === 401 || details.some((d) => d.reason === "API_KEY_INVALID") || /API key not valid/i.test(detail)) {
    return new GeminiError("invalid_api_key", `Gemini rejected the API key (GEMINI_API_KEY): ${detail}`, opts);
  }
  if (status === 403) {
    return new GeminiError(
      "permission_denied",
      `Gemini refused the request: the API key lacks access or the Generative Language API is not enabled for its project (${detail})`,
      opts,
    );
  }
  if (status === 404) {
    const variable = op === "embed" ? "GEMINI_EMBEDDING_MODEL" : "GEMINI_MODEL";
    return new GeminiError(
      "model_not_found",
      `Gemini does not offer the configured model; check ${variable} (${detail})`,
      opts,
    );
  }
  if (status === 429) {
    const retryDelay = details.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"))?.retryDelay;
    const retryAfterMs = parseDuration(retryDelay);
    const daily = details.some((d) => d.violations?.some((v) => /PerDay/i.test(v.quotaId ?? "")));
    return new GeminiError(
      "quota_exhausted",
      daily
        ? `Gemini daily quota exhausted; it resets at midnight Pacific time or with a higher tier (${detail})`
        : `Gemini quota exhausted (rate limit)${retryAfterMs !== null ? `; retry in ${retryAfterMs / 1000} s` : ""} (${detail})`,
      { ...opts, retryable: !daily, retryAfterMs },
    );
  }
  if (RETRYABLE_STATUS.has(status)) {
    return new GeminiError(
      "unavailable",
      `Gemini is temporarily unavailable (HTTP ${status} ${body.error?.status ?? ""}: ${detail})`,
      { ...opts, retryable: true },
    );
  }
  return new GeminiError("bad_request", `Gemini rejected the request (HTTP ${status}): ${detail}`, opts);
}

/** Google's protobuf Duration in JSON: "15s", "1.5s". */
function parseDuration(value: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value ?? "");
  return m ? Math.round(Number(m[1]) * 1000) : null;
}
