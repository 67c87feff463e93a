/**
 * The self-hosted entry point (`npm start`): Next.js's request handler behind a plain
 * `node:http` server that answers one path itself, the ManyChat webhook's
 * acknowledgement (`POST /api/v1/webhook/manychat`), with the same code as the Next.js
 * route (lib/manychat/webhook-handler.ts). That path is the product's hot path: under
 * `next start` on two cores, Next's per-request work (≈ 1 ms of CPU) capped it at
 * ≈ 800 acknowledgements/s with a p99 above 100 ms at 50 connections; served here it
 * costs what the statement costs (docs/benchmarks.md, bench:webhook). Every other
 * request goes to Next.js unchanged. On Vercel this file is not used: the route serves
 * the webhook there.
 *
 * Built by `npm run build` into dist/server.mjs (scripts/build-server.mjs).
 * Options: `-p/--port` (or PORT, default 3000), `-H/--hostname` (default: all interfaces).
 * WEBHOOK_DIRECT=off hands the webhook to the Next.js route as well.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "@/lib/http/security-headers";

(process.env as Record<string, string>).NODE_ENV = "production";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
  },
});
const port = Number(args.port ?? process.env.PORT ?? 3000);
const hostname = args.hostname;
const dir = process.cwd();
nextEnv.loadEnvConfig(dir, false);

// Imported after the environment is loaded: lib/ reads it on first use.
const { config } = await import("@/lib/config");
/** The configuration is checked before anything starts (as instrumentation.ts does for `next start`). */
function webhookDirect(): boolean {
  try {
    return config().WEBHOOK_DIRECT === "on";
  } catch (err) {
    console.error(`\nCannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
const direct = webhookDirect();

const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
// Runs instrumentation.ts: configuration check, database open + migrations, sweeper.
await app.prepare();

// Loaded once Next.js has set up its server environment: some lib/ modules import
// next/headers, which needs Next's AsyncLocalStorage global when it loads (the build
// splits these into their own chunks so their imports run only now).
const [webhook, route, { log }, { AppError }, { metrics }] = await Promise.all([
  import("@/lib/manychat/webhook-handler"),
  import("@/lib/http/error-response"),
  import("@/lib/log"),
  import("@/lib/http/errors"),
  import("@/lib/metrics"),
]);
const { acknowledgeWebhook, answerAfterAck, recordWebhookAck, MAX_WEBHOOK_BODY, WEBHOOK_PATH } = webhook;
const { errorResponse, pickRequestId } = route;

const server = createServer((req, res) => {
  if (direct && req.method === "POST" && pathOf(req.url) === WEBHOOK_PATH) {
    void serveWebhook(req, res);
    return;
  }
  appendPeerAddress(req);
  void handle(req, res);
});
server.listen(port, hostname, () => {
  log.info({ url: `http://${hostname ?? "localhost"}:${port}`, webhook_direct: direct }, "ready");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    // Leftover answers are durable jobs: the sweeper of the next start runs them.
    setTimeout(() => process.exit(0), 1000).unref();
  });
}

/**
 * Appends the connecting peer to X-Forwarded-For, as any proxy does: the app reads the
 * client's address from the end of that list, trusting TRUST_PROXY hops before us
 * (lib/http/client-ip.ts), so what a client writes in the header itself is never taken
 * for its address.
 */
function appendPeerAddress(req: IncomingMessage) {
  const peer = req.socket.remoteAddress;
  if (!peer) return;
  const existing = req.headers["x-forwarded-for"];
  const list = Array.isArray(existing) ? existing.join(", ") : existing;
  req.headers["x-forwarded-for"] = list ? `${list}, ${peer}` : peer;
}

function pathOf(url: string | undefined): string {
  if (!url) return "";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function header(req: IncomingMessage) {
  return (name: string): string | null => {
    const value = req.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  };
}

/** Reads the body, refusing more than MAX_WEBHOOK_BODY bytes. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY) {
        req.removeAllListeners("data");
        req.resume();
        reject(new AppError("payload_too_large", "The webhook body is larger than 64 KB."));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The webhook's acknowledgement, as the Next.js route answers it (apiRoute's envelope, log line and metrics). */
async function serveWebhook(req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  const get = header(req);
  const requestId = pickRequestId(get("x-request-id"));
  let status = 200;
  let tenantId: string | null = null;
  try {
    if (Number(get("content-length") ?? 0) > MAX_WEBHOOK_BODY) {
      req.resume();
      throw new AppError("payload_too_large", "The webhook body is larger than 64 KB.");
    }
    const ack = await acknowledgeWebhook(get, await readBody(req));
    tenantId = ack.customerId;
    send(res, 200, JSON.stringify(ack.body), requestId);
    void answerAfterAck(ack);
  } catch (err) {
    const response = errorResponse(err, requestId);
    status = response.status;
    send(res, status, await response.text(), requestId, response.headers.get("retry-after"));
  }
  recordWebhookAck("direct", status, started);
  const seconds = (performance.now() - started) / 1000;
  metrics().httpDuration.observe({ method: "POST", route: WEBHOOK_PATH, status: String(status) }, seconds);
  log.info(
    {
      request_id: requestId,
      method: "POST",
      route: WEBHOOK_PATH,
      path: WEBHOOK_PATH,
      status,
      ms: Math.round(seconds * 1000),
      ...(tenantId ? { tenant_id: tenantId } : {}),
    },
    "request",
  );
}

function send(res: ServerResponse, status: number, body: string, requestId: string, retryAfter?: string | null) {
  if (res.headersSent) return;
  res.writeHead(status, {
    ...STATIC_SECURITY_HEADERS,
    "content-security-policy": API_CONTENT_SECURITY_POLICY,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-request-id": requestId,
    ...(retryAfter ? { "retry-after": retryAfter } : {}),
  });
  res.end(body);
}
