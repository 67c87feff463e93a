import "server-only";
import { timingSafeEqual } from "node:crypto";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";

/**
 * Prometheus metrics of this process, served by GET /api/v1/metrics.
 *
 * One registry per process on globalThis: Next.js bundles route code separately from
 * instrumentation and from dist/server.mjs (server.ts), so module-level state would
 * give each bundle its own counters and the scrape would miss the direct webhook path.
 * prom-client itself is an external package (next.config.ts), loaded once.
 */
const key = Symbol.for("pdf-answers.metrics");

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const seconds = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    new Histogram({ name, help, labelNames, buckets, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const apiBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const callBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  return {
    registry,
    httpDuration: seconds(
      "http_request_duration_seconds",
      "API request latency, by route pattern (e.g. /api/v1/documents/[id]), method and status.",
      ["method", "route", "status"],
      apiBuckets,
    ),
    webhookAck: seconds(
      "webhook_ack_duration_seconds",
      "ManyChat webhook acknowledgement latency; server: direct (server.ts) or next (the Next.js route).",
      ["server", "status"],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    jobDuration: seconds(
      "job_duration_seconds",
      "Time one job attempt ran, by kind and outcome (done, retry, failed).",
      ["kind", "outcome"],
      [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    ),
    jobFailures: counter(
      "job_failures_total",
      "Job attempts that failed, by kind; final=true when the job failed for good.",
      ["kind", "final"],
    ),
    queueDepth: gauge(
      "jobs_queue_depth",
      "Unfinished jobs in the database (all instances), by state (queued, due, running) and kind.",
      ["state", "kind"],
    ),
    oldestDueAge: gauge(
      "jobs_oldest_due_age_seconds",
      "Seconds the oldest due queued job has waited past its run time (0 when none is due).",
      [],
    ),
    geminiDuration: seconds(
      "gemini_request_duration_seconds",
      "Latency of each Gemini API attempt, by operation and HTTP status (or timeout, network, aborted).",
      ["op", "status"],
      callBuckets,
    ),
    geminiErrors: counter(
      "gemini_request_errors_total",
      "Failed Gemini API attempts, by operation and HTTP status (or timeout, network, aborted).",
      ["op", "status"],
    ),
    geminiTokens: counter(
      "gemini_tokens_total",
      "Gemini generation tokens, by operation and type (prompt, output; output includes thinking).",
      ["op", "type"],
    ),
    manychatDuration: seconds(
      "manychat_request_duration_seconds",
      "Latency of each ManyChat API attempt, by endpoint and HTTP status (or timeout, network, aborted).",
      ["endpoint", "status"],
      callBuckets,
    ),
    manychatErrors: counter(
      "manychat_request_errors_total",
      "Failed ManyChat API attempts, by endpoint and HTTP status (or timeout, network, aborted).",
      ["endpoint", "status"],
    ),
  };
}

export type Metrics = ReturnType<typeof create>;
type G = typeof globalThis & { [key]?: Metrics };

/** The process's metrics, created on first use. */
export function metrics(): Metrics {
  const g = globalThis as G;
  g[key] ??= create();
  return g[key];
}

const since = (startedMs: number) => (performance.now() - startedMs) / 1000;

/** One attempt of an external call: its latency, and an error when it did not succeed. */
export function recordExternalCall(
  service: "gemini" | "manychat",
  target: string,
  status: number | string,
  startedMs: number,
  ok: boolean,
): void {
  const m = metrics();
  if (service === "gemini") {
    const labels = { op: target, status: String(status) };
    m.geminiDuration.observe(labels, since(startedMs));
    if (!ok) m.geminiErrors.inc(labels);
  } else {
    const labels = { endpoint: target, status: String(status) };
    m.manychatDuration.observe(labels, since(startedMs));
    if (!ok) m.manychatErrors.inc(labels);
  }
}

/** Refuses the scrape unless METRICS_TOKEN is unset or sent as a bearer token. */
export function assertMetricsAccess(authorization: string | null): void {
  const token = config().METRICS_TOKEN;
  if (!token) return;
  const given = Buffer.from(authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError("unauthenticated", "Send the metrics token as 'Authorization: Bearer <METRICS_TOKEN>'.");
  }
}
