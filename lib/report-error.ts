import "server-only";
import { config } from "@/lib/config";
import { log, redactError } from "@/lib/log";

/**
 * Error reporting to Sentry (SENTRY_DSN), on the server. Without a DSN the SDK is never
 * even loaded: every call here is a no-op. Next.js reports errors of requests it sees
 * fail (instrumentation.ts, onRequestError), but not those of after() callbacks, of jobs,
 * or of API routes (apiRoute turns them into a 500 envelope): those call reportError.
 *
 * The SDK is loaded once per process and shared through globalThis, because Next.js
 * bundles route code, instrumentation.ts and dist/server.mjs separately.
 */
type SentryModule = typeof import("@sentry/nextjs");
type DataCollection = NonNullable<Parameters<SentryModule["init"]>[0]["dataCollection"]>;
const key = Symbol.for("pdf-answers.sentry");
type G = typeof globalThis & { [key]?: Promise<SentryModule | null> };

/**
 * What may leave the process: no bodies (webhook texts, passwords), cookies, query
 * strings (signed upload tokens), database parameters or local variables; of the
 * request headers only harmless ones.
 */
const dataCollection: DataCollection = {
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { allow: ["user-agent", "content-type", "x-request-id"] }, response: false },
  httpBodies: [],
  urlQueryParams: false,
  databaseQueryData: false,
  queues: false,
  genAI: { inputs: false, outputs: false },
  stackFrameVariables: false,
};

/** The initialised SDK, or null without a DSN (or when it cannot load). */
export function sentry(): Promise<SentryModule | null> {
  const { SENTRY_DSN: dsn, SENTRY_ENVIRONMENT: environment } = config();
  if (!dsn) return Promise.resolve(null);
  const g = globalThis as G;
  g[key] ??= import("@sentry/nextjs")
    .then((Sentry) => {
      if (!Sentry.isInitialized()) {
        Sentry.init({
          dsn,
          environment,
          dataCollection,
          // Errors only; latency is what /api/v1/metrics is for.
          tracesSampleRate: 0,
        });
      }
      return Sentry;
    })
    .catch((err) => {
      log.error({ err }, "Sentry could not be loaded; errors are only logged");
      return null;
    });
  return g[key];
}

/**
 * Sends an error to Sentry, tagged with what the caller knows (job kind, ids: values to
 * search and filter on). Never throws. Awaiting it matters only on serverless hosts,
 * where the instance may freeze right after the work that failed: there it also flushes.
 */
export async function reportError(
  err: unknown,
  context: Record<string, string | number | boolean | null | undefined> = {},
): Promise<void> {
  if (!config().SENTRY_DSN) return;
  try {
    const Sentry = await sentry();
    if (!Sentry) return;
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(context)) if (v !== undefined && v !== null) tags[k] = String(v).slice(0, 200);
    // Without the failed statement's parameters (message texts, secret hashes), as in the log.
    Sentry.captureException(redactError(err), { tags });
    if (config().VERCEL) await Sentry.flush(2000);
  } catch (e) {
    log.warn({ err: e }, "reporting an error to Sentry failed");
  }
}
