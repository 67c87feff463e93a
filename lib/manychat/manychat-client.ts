import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { recordExternalCall } from "@/lib/metrics";

/**
 * The one door to ManyChat's sending API (FACTS.md, "ManyChat"). It adds what ManyChat
 * leaves to callers: at most 10 messages per send, a per-key rate limit under ManyChat's
 * 25 requests/s, a per-attempt timeout, retries of transient failures only, and an
 * optional flow fallback for when a free-form message is refused (24-hour window).
 */

/** ManyChat takes at most 10 messages in one sendContent. */
export const MAX_MESSAGES_PER_SEND = 10;
/** WhatsApp's limit for one text message. */
export const MAX_MESSAGE_CHARS = 4096;
/** ManyChat's error code when WhatsApp's 24-hour customer-service window is closed. */
export const WINDOW_CLOSED_CODE = 3011;

export type ManychatErrorReason =
  | "window_closed"
  | "invalid_api_key"
  | "rejected"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "network"
  | "aborted"
  | "invalid_request";

export class ManychatError extends Error {
  override name = "ManychatError";
  /** ManyChat's own error code (e.g. 3011) when its answer had one. */
  readonly code: number | null;
  /** HTTP status ManyChat answered with; null when no answer came (timeout, network, abort). */
  readonly status: number | null;
  /** Whether the same send may succeed later (a job can be rescheduled). */
  readonly retryable: boolean;
  /** Wait ManyChat asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | null;
  /** HTTP requests made to ManyChat by the failed call. */
  attempts = 1;
  /** Messages ManyChat confirmed before the failure (a retry of the whole call resends them). */
  delivered = 0;
  /** Set when the flow fallback was tried and failed too. */
  fallbackError: ManychatError | null = null;

  constructor(
    readonly reason: ManychatErrorReason,
    message: string,
    opts: {
      code?: number | null;
      status?: number | null;
      retryable?: boolean;
      retryAfterMs?: number | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.code = opts.code ?? null;
    this.status = opts.status ?? null;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export interface ManychatClientOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a Retry-After header. */
  retryAfterCapMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Token bucket per API key: steady rate and burst. rate + burst stays under 25 in any second. */
  ratePerSecond: number;
  burst: number;
}

const defaults: ManychatClientOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  retryAfterCapMs: 30_000,
  timeoutMs: 10_000,
  ratePerSecond: 20,
  burst: 4,
};
let options: ManychatClientOptions = { ...defaults };

/** Tests shorten the waits or tighten the limits; production keeps the defaults. */
export function setManychatClientOptions(patch: Partial<ManychatClientOptions>): void {
  options = { ...options, ...patch };
}

/** Restores the defaults and forgets every key's rate-limit state. */
export function resetManychatClientOptions(): void {
  options = { ...defaults };
  buckets.clear();
}

export interface SendOptions {
  signal?: AbortSignal;
  /**
   * When ManyChat refuses the message for good (e.g. the 24-hour window is closed), store
   * the text in this custom field and start this flow, which can send it as a template.
   */
  flow?: { fieldName: string; flowNs: string };
}

export interface SendResult {
  status: "sent";
  /** HTTP requests made to ManyChat, retries and fallback included. */
  attempts: number;
  /** "flow" when the fallback flow delivered (part of) the text. */
  via: "content" | "flow";
}

/**
 * Sends text messages to a WhatsApp contact, in order, in sends of at most 10. Each text
 * must already fit WhatsApp (≤ 4,096 characters, see formatAnswer). Throws ManychatError.
 */
export async function sendWhatsAppMessages(
  apiKey: string,
  subscriberId: string,
  messages: string[],
  opts: SendOptions = {},
): Promise<SendResult> {
  const texts = messages.filter((m) => m.trim() !== "");
  checkRequest(apiKey, subscriberId, texts);
  const subscriber = subscriberIdJson(subscriberId);
  let attempts = 0;
  for (let i = 0; i < texts.length; i += MAX_MESSAGES_PER_SEND) {
    const batch = texts.slice(i, i + MAX_MESSAGES_PER_SEND);
    const body = {
      subscriber_id: subscriber,
      data: { version: "v2", content: { type: "whatsapp", messages: batch.map((text) => ({ type: "text", text })) } },
    };
    try {
      attempts += await post(apiKey, "/fb/sending/sendContent", body, opts.signal);
    } catch (err) {
      const error = err as ManychatError;
      attempts += error.attempts;
      error.attempts = attempts;
      error.delivered = i;
      // A wrong key would fail the fallback too; a transient failure is for the caller to reschedule.
      if (!opts.flow || error.retryable || error.reason === "invalid_api_key" || error.reason === "aborted") {
        throw error;
      }
      attempts += await sendThroughFlow(apiKey, subscriber, texts.slice(i), opts.flow, error, attempts, opts.signal);
      return { status: "sent", attempts, via: "flow" };
    }
  }
  return { status: "sent", attempts, via: "content" };
}

async function sendThroughFlow(
  apiKey: string,
  subscriber: number | string,
  texts: string[],
  flow: { fieldName: string; flowNs: string },
  refusal: ManychatError,
  attemptsSoFar: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  // A flow shows the field in one message, so the text is cut to what one message can hold.
  let value = texts.join("\n\n");
  if (value.length > MAX_MESSAGE_CHARS) value = `${value.slice(0, MAX_MESSAGE_CHARS - 1).trimEnd()}…`;
  let attempts = 0;
  try {
    attempts += await post(
      apiKey,
      "/fb/subscriber/setCustomFieldByName",
      { subscriber_id: subscriber, field_name: flow.fieldName, field_value: value },
      signal,
      `check that the custom field "${flow.fieldName}" exists in ManyChat and holds text`,
    );
    attempts += await post(
      apiKey,
      "/fb/sending/sendFlow",
      { subscriber_id: subscriber, flow_ns: flow.flowNs },
      signal,
      `check the flow id "${flow.flowNs}" in ManyChat`,
    );
  } catch (err) {
    const fallback = err as ManychatError;
    refusal.fallbackError = fallback;
    refusal.attempts = attemptsSoFar + attempts + fallback.attempts;
    refusal.message = `${refusal.message} The fallback flow failed too: ${fallback.message}`;
    throw refusal;
  }
  log.info(
    { reason: refusal.reason, code: refusal.code, flowNs: flow.flowNs },
    "ManyChat refused the message; sent it through the fallback flow",
  );
  return attempts;
}

function checkRequest(apiKey: string, subscriberId: string, texts: string[]) {
  const invalid = (message: string) => new ManychatError("invalid_request", message);
  if (!apiKey.trim()) throw invalid("No ManyChat API key is configured for this account.");
  if (!subscriberId.trim()) throw invalid("No ManyChat subscriber id to send the message to.");
  if (texts.length === 0) throw invalid("There is no message to send.");
  const long = texts.findIndex((t) => t.length > MAX_MESSAGE_CHARS);
  if (long >= 0) {
    throw invalid(
      `Message ${long + 1} has ${texts[long]?.length} characters; WhatsApp takes at most ${MAX_MESSAGE_CHARS} (split it with formatAnswer).`,
    );
  }
}

/** ManyChat's subscriber ids are integers; the External Request gives them as text. */
function subscriberIdJson(id: string): number | string {
  const trimmed = id.trim();
  return /^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? Number(trimmed) : trimmed;
}

// ---------------------------------------------------------------- requests and retries

type Endpoint = "/fb/sending/sendContent" | "/fb/subscriber/setCustomFieldByName" | "/fb/sending/sendFlow";

const aborted = () => new ManychatError("aborted", "The ManyChat request was cancelled.");

/** POSTs with throttling and retries; returns the number of attempts it took. */
async function post(
  apiKey: string,
  endpoint: Endpoint,
  body: unknown,
  signal: AbortSignal | undefined,
  hint?: string,
): Promise<number> {
  const url = `${config().MANYCHAT_API_URL.replace(/\/+$/, "")}${endpoint}`;
  const payload = JSON.stringify(body);
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw Object.assign(aborted(), { attempts: n - 1 });
    let error: ManychatError;
    let started: number | null = null;
    try {
      await takeToken(apiKey, signal);
      started = performance.now();
      await attempt(url, apiKey, payload, endpoint, signal, hint);
      recordExternalCall("manychat", endpoint, 200, started, true);
      return n;
    } catch (err) {
      error = toManychatError(err, signal);
      // Waiting for our own rate limit is not a ManyChat call.
      if (started !== null) recordExternalCall("manychat", endpoint, error.status ?? error.reason, started, false);
    }
    error.attempts = n;
    if (!error.retryable || n >= options.maxAttempts) {
      if (error.retryable && n > 1) error.message = `${error.message} (gave up after ${n} attempts)`;
      throw error;
    }
    const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (n - 1));
    const delay =
      error.retryAfterMs !== null
        ? Math.min(error.retryAfterMs, options.retryAfterCapMs)
        : Math.round(backoff / 2 + (Math.random() * backoff) / 2);
    log.warn(
      { endpoint, attempt: n, reason: error.reason, status: error.status, code: error.code, delayMs: delay },
      "ManyChat call failed, retrying",
    );
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      throw Object.assign(aborted(), { attempts: n });
    }
  }
}

async function attempt(
  url: string,
  apiKey: string,
  payload: string,
  endpoint: Endpoint,
  signal: AbortSignal | undefined,
  hint: string | undefined,
): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: payload,
      signal: combined,
    });
    text = await res.text();
  } catch (err) {
    if (signal?.aborted) throw aborted();
    if (timeout.aborted) {
      throw new ManychatError("timeout", `ManyChat did not answer within ${options.timeoutMs / 1000} s.`, {
        retryable: true,
        cause: err,
      });
    }
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new ManychatError("network", `Could not reach ManyChat (${cause}).`, { retryable: true, cause: err });
  }
  let json: ManychatBody | null = null;
  try {
    json = JSON.parse(text) as ManychatBody;
  } catch {
    // not JSON (a proxy's error page): described by the status below
  }
  if (res.ok && json?.status === "success") return;
  throw fromResponse(res, json, endpoint, hint);
}

interface ManychatBody {
  status?: string;
  message?: string;
  code?: number | string;
  details?: { messages?: unknown };
}

function fromResponse(res: Response, body: ManychatBody | null, endpoint: Endpoint, hint?: string): ManychatError {
  const status = res.status;
  const code = body?.code !== undefined && Number.isFinite(Number(body.code)) ? Number(body.code) : null;
  const detail = explain(body) ?? `HTTP ${status} ${res.statusText}`.trim();
  const opts = { status, code };
  if (code === WINDOW_CLOSED_CODE) {
    return new ManychatError(
      "window_closed",
      "The customer's 24-hour WhatsApp window is closed; ManyChat refused a free-form message.",
      opts,
    );
  }
  if (status === 401 || status === 403) {
    return new ManychatError(
      "invalid_api_key",
      `ManyChat rejected the API key (HTTP ${status}: ${detail}); paste a current key from ManyChat (Settings → API) in the dashboard.`,
      opts,
    );
  }
  if (status === 429) {
    return new ManychatError("rate_limited", `ManyChat's rate limit was reached (HTTP 429: ${detail}).`, {
      ...opts,
      retryable: true,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
    });
  }
  if (status >= 500 || status === 408) {
    return new ManychatError("unavailable", `ManyChat is temporarily unavailable (HTTP ${status}: ${detail}).`, {
      ...opts,
      retryable: true,
    });
  }
  const what =
    endpoint === "/fb/sending/sendContent"
      ? "the message"
      : endpoint === "/fb/sending/sendFlow"
        ? "the fallback flow"
        : "the fallback custom field";
  const how = res.ok ? "did not accept" : `refused (HTTP ${status}${code !== null ? `, code ${code}` : ""})`;
  return new ManychatError("rejected", `ManyChat ${how} ${what}: ${detail}${hint ? `; ${hint}` : ""}.`, opts);
}

/** ManyChat's message, with its validation details when it gave any. */
function explain(body: ManychatBody | null): string | null {
  if (!body?.message) return null;
  const messages = body.details?.messages;
  if (!messages || typeof messages !== "object" || Object.keys(messages).length === 0) return body.message;
  return `${body.message} ${JSON.stringify(messages)}`;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function toManychatError(err: unknown, signal: AbortSignal | undefined): ManychatError {
  if (err instanceof ManychatError) return err;
  if (signal?.aborted) return new ManychatError("aborted", "The ManyChat request was cancelled.", { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ManychatError("network", `ManyChat call failed (${message}).`, { retryable: true, cause: err });
}

// ---------------------------------------------------------------- throttling

/**
 * Token buckets per API key, keeping each key under ManyChat's 25 requests/s. They live in
 * this process only: several server instances sending with the same key share nothing and
 * can exceed the limit together (ManyChat then answers 429, which is retried).
 */
interface Bucket {
  tokens: number;
  updatedAt: number;
}
const buckets = new Map<string, Bucket>();
const IDLE_BUCKET_MS = 60_000;

async function takeToken(apiKey: string, signal: AbortSignal | undefined): Promise<void> {
  const now = performance.now();
  if (buckets.size > 1000) {
    for (const [k, b] of buckets) if (now - b.updatedAt > IDLE_BUCKET_MS) buckets.delete(k);
  }
  const bucket = buckets.get(apiKey) ?? { tokens: options.burst, updatedAt: now };
  buckets.set(apiKey, bucket);
  bucket.tokens = Math.min(options.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * options.ratePerSecond);
  bucket.updatedAt = now;
  // Taking the token before waiting reserves a place in line: callers leave in arrival order.
  bucket.tokens -= 1;
  if (bucket.tokens >= 0) return;
  try {
    await sleep(Math.ceil((-bucket.tokens / options.ratePerSecond) * 1000), undefined, { signal });
  } catch {
    throw aborted();
  }
}
