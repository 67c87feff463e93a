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
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
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
const trustedProxies = config().TRUST_PROXY;

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
  const path = pathOf(req.url);
  if (direct && req.method === "POST" && path === WEBHOOK_PATH) {
    void serveWebhook(req, res);
    return;
  }
  if (path.startsWith("/api/") && !guardApiRequest(req, res, path)) return;
  if (trustedProxies === 0) dropForwardedHeaders(req);
  appendPeerAddress(req);
  void handle(req, res);
});
// A request node:http cannot parse (a 100 KB header, a malformed request line) never
// reaches the handler: answer it with the envelope too, instead of node's empty reply.
server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
  // As node's default handler: nothing to answer on a dead socket or after a response began.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? ([431, "headers_too_large", "The request headers are larger than the server accepts (16 KB)."] as const)
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? ([408, "bad_request", "The request took too long to arrive."] as const)
        : ([400, "bad_request", "The request is not valid HTTP."] as const);
  const requestId = pickRequestId(null);
  const body = JSON.stringify({ error: { code, message, request_id: requestId } });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    ...Object.entries({ ...STATIC_SECURITY_HEADERS, "content-security-policy": API_CONTENT_SECURITY_POLICY }).map(
      ([k, v]) => `${k}: ${v}`,
    ),
    "content-type: application/json",
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    "connection: close",
  ];
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
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

/** The methods Next.js's route handlers know; anything else makes Next.js throw (a 500). */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * API requests that Next.js would fail itself, with an empty or plain-text answer, are
 * answered here with the error envelope; every other API response Next.js writes as an
 * error without it (its own 405, 404, 500…) gets it on the way out. False when answered.
 */
function guardApiRequest(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const requestId = pickRequestId(header(req)("x-request-id"));
  if (!KNOWN_METHODS.has(req.method ?? "")) {
    req.resume();
    sendError(
      res,
      requestId,
      new AppError("method_not_allowed", `${req.method} is not an HTTP method this API serves.`),
    );
    return false;
  }
  try {
    decodeURIComponent(path);
  } catch {
    req.resume();
    sendError(res, requestId, new AppError("bad_request", "The URL's path is not valid percent-encoding."));
    return false;
  }
  envelopeFrameworkErrors(req, res, requestId);
  return true;
}

function sendError(res: ServerResponse, requestId: string, err: InstanceType<typeof AppError>) {
  const response = errorResponse(err, requestId);
  void response.text().then((body) => send(res, response.status, body, requestId));
}

/**
 * Replaces the body of an error response Next.js writes without our envelope (no JSON
 * content type): its own 405 for a method a route does not export, a 500 of its own.
 * Responses from apiRoute are JSON already and pass untouched.
 */
function envelopeFrameworkErrors(req: IncomingMessage, res: ServerResponse, requestId: string) {
  const { writeHead, write, end } = res;
  let replace: boolean | null = null;
  const decide = (): boolean => {
    if (replace !== null) return replace;
    const type = String(res.getHeader("content-type") ?? "");
    replace = res.statusCode >= 400 && !type.includes("json") && !res.headersSent;
    return replace;
  };
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    res.statusCode = status;
    const headers = (typeof rest[0] === "string" ? rest[1] : rest[0]) as Record<string, unknown> | undefined;
    if (headers && !Array.isArray(headers)) {
      for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v as string);
    }
    if (decide()) return res;
    return (writeHead as (...a: unknown[]) => ServerResponse).call(res, status, ...rest);
  } as typeof res.writeHead;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    if (decide()) return true;
    return (write as (...a: unknown[]) => boolean).apply(res, args);
  } as typeof res.write;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (!decide()) return (end as (...a: unknown[]) => ServerResponse).apply(res, args);
    const done = args.find((a) => typeof a === "function") as (() => void) | undefined;
    const status = res.statusCode;
    const err = new AppError(
      FRAMEWORK_ERRORS[status]?.[0] ?? (status >= 500 ? "internal" : "bad_request"),
      FRAMEWORK_ERRORS[status]?.[1] ??
        (status >= 500 ? "Something went wrong on our side." : "The request was refused."),
      undefined,
      { status },
    );
    const body = JSON.stringify({ error: { code: err.code, message: err.message, request_id: requestId } });
    for (const name of ["content-length", "content-encoding", "transfer-encoding", "etag", "cache-control"]) {
      res.removeHeader(name);
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.setHeader("x-request-id", requestId);
    res.setHeader("content-security-policy", API_CONTENT_SECURITY_POLICY);
    if (status >= 500)
      log.error({ request_id: requestId, method: req.method, path: pathOf(req.url), status }, "framework error");
    return (end as (...a: unknown[]) => ServerResponse).call(res, req.method === "HEAD" ? undefined : body, done);
  } as typeof res.end;
}

const FRAMEWORK_ERRORS: Record<number, [InstanceType<typeof AppError>["code"], string]> = {
  400: ["bad_request", "The request is not valid."],
  404: ["not_found", "No API endpoint here."],
  405: ["method_not_allowed", "This method is not allowed here."],
  413: ["payload_too_large", "The request body is too large."],
  500: ["internal", "Something went wrong on our side."],
};

/**
 * Without a trusted proxy (TRUST_PROXY=0), X-Forwarded-Host/-Proto/-Port and Forwarded
 * are whatever the client wrote: removed before Next.js sees them, which would otherwise
 * build the request's URL from them (its scheme, then links we hand out and the CSRF
 * origin check). Next.js then sets X-Forwarded-Proto from the socket itself.
 */
function dropForwardedHeaders(req: IncomingMessage) {
  for (const name of ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded"]) {
    delete req.headers[name];
  }
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
