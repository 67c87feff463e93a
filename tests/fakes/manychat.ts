import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A local stand-in for ManyChat's API speaking its wire format, for tests. The app's
 * real client is pointed at it with MANYCHAT_API_URL.
 *
 * - API keys look like "<page_id>:<token>"; a token starting with "bad" is rejected the
 *   way ManyChat rejects a wrong key (HTTP 401).
 * - GET  /fb/page/getInfo                  → {"status":"success","data":{"id":…,"name":…}}
 * - POST /fb/sending/sendContent           → {"status":"success"}; like ManyChat, at most 10
 *   messages per send, and (WhatsApp's limit) at most 4,096 characters per text.
 * - POST /fb/subscriber/setCustomFieldByName {subscriber_id, field_name, field_value} → success
 * - POST /fb/sending/sendFlow              {subscriber_id, flow_ns} → success
 * - Errors use ManyChat's envelope: HTTP 400 {"status":"error","message":"…","code":3011}.
 * - Behaviour (failures, latency) is set in-process with setBehaviour() or from another
 *   process: POST /__fake/behaviour (JSON patch) · GET /__fake/behaviour ·
 *   GET /__fake/requests · POST /__fake/reset (forget requests and behaviour).
 */

export type ManychatEndpoint = "getInfo" | "sendContent" | "setCustomFieldByName" | "sendFlow";

export interface ManychatFailRule {
  /**
   * 429 (rate limited), 500/502/503 (server error), 3011 (HTTP 400 with ManyChat's code
   * 3011: the 24-hour window is closed), 400 (a plain validation error), or "reset" (the
   * connection is dropped without an answer).
   */
  error: 400 | 429 | 500 | 502 | 503 | 3011 | "reset";
  /** How many calls fail; every call when omitted. */
  times?: number;
  /** Calls let through before the failures start (e.g. 1: the second send fails). */
  after?: number;
  /** The endpoint that fails; sendContent when omitted, "any" for every endpoint. */
  endpoint?: ManychatEndpoint | "any";
  /** Overrides the error message. */
  message?: string;
}

export interface ManychatFakeBehaviour {
  /** One rule or several (the first matching rule applies); none when null. */
  fail: ManychatFailRule | ManychatFailRule[] | null;
  /** Added before every answer (control paths excepted). */
  latencyMs: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
  at: string;
  /** Status answered (0 for a dropped connection; null while pending). */
  status?: number | null;
}

const initialBehaviour = (): ManychatFakeBehaviour => ({ fail: null, latencyMs: 0 });

const endpoints: Record<string, ManychatEndpoint> = {
  "GET /fb/page/getInfo": "getInfo",
  "POST /fb/sending/sendContent": "sendContent",
  "POST /fb/subscriber/setCustomFieldByName": "setCustomFieldByName",
  "POST /fb/sending/sendFlow": "sendFlow",
};

export async function startManychatFake(opts: number | { port?: number } = {}) {
  const port = typeof opts === "number" ? opts : (opts.port ?? 0);
  const received: ReceivedRequest[] = [];
  let behaviour = initialBehaviour();
  const setBehaviour = (patch: Partial<ManychatFakeBehaviour>) => {
    behaviour = { ...behaviour, ...patch };
    return behaviour;
  };
  const reset = () => {
    received.length = 0;
    behaviour = initialBehaviour();
  };

  /** The rule that applies to this call, counting it down. */
  const takeFailure = (endpoint: ManychatEndpoint): ManychatFailRule | null => {
    const rules = behaviour.fail === null ? [] : Array.isArray(behaviour.fail) ? behaviour.fail : [behaviour.fail];
    const i = rules.findIndex((r) => (r.endpoint ?? "sendContent") === endpoint || r.endpoint === "any");
    const rule = rules[i];
    if (!rule) return null;
    if (rule.after) {
      const next = rules.map((r, j) => (j === i ? { ...r, after: (r.after ?? 1) - 1 } : r));
      behaviour = { ...behaviour, fail: next.length === 1 ? (next[0] ?? null) : next };
      return null;
    }
    if (rule.times !== undefined) {
      const left = rule.times - 1;
      const next = rules.flatMap((r, j) => (j !== i ? [r] : left > 0 ? [{ ...r, times: left }] : []));
      behaviour = { ...behaviour, fail: next.length === 0 ? null : next.length === 1 ? (next[0] ?? null) : next };
    }
    return rule;
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };

    if (url.pathname.startsWith("/__fake/")) {
      if (url.pathname === "/__fake/requests") return send(200, received);
      if (url.pathname === "/__fake/reset") {
        reset();
        return send(200, { ok: true });
      }
      if (url.pathname === "/__fake/behaviour") {
        if (req.method === "POST") {
          try {
            return send(200, setBehaviour(raw ? JSON.parse(raw) : {}));
          } catch {
            return send(400, { error: "behaviour must be a JSON object" });
          }
        }
        return send(200, behaviour);
      }
      return send(404, { error: "unknown fake control path" });
    }

    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(400, { status: "error", message: "Invalid JSON" });
    }
    const authorization = req.headers.authorization ?? null;
    const entry: ReceivedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      authorization,
      body,
      at: new Date().toISOString(),
      status: null,
    };
    received.push(entry);
    const reply = (status: number, payload: unknown) => {
      entry.status = status;
      send(status, payload);
    };

    if (behaviour.latencyMs > 0) await sleep(behaviour.latencyMs);

    const key = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
    const match = /^(\d+):(.+)$/.exec(key);
    if (!match || (match[2] as string).startsWith("bad")) {
      return reply(401, { status: "error", message: "Wrong format token", details: { messages: [] } });
    }
    const pageId = match[1] as string;
    const endpoint = endpoints[`${req.method} ${url.pathname}`];
    if (!endpoint) return reply(404, { status: "error", message: "Not found" });

    const failure = takeFailure(endpoint);
    if (failure) {
      if (failure.error === "reset") {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      const [status, payload] = errorReply(failure.error, failure.message);
      return reply(status, payload);
    }

    const b = (body ?? {}) as Record<string, unknown>;
    switch (endpoint) {
      case "getInfo":
        return reply(200, {
          status: "success",
          data: { id: Number(pageId), name: `Test Page ${pageId}`, category: "Business", timezone: "Europe/Paris" },
        });
      case "sendContent": {
        const problem = checkSendContent(b);
        return problem ? reply(400, validationError(problem)) : reply(200, { status: "success" });
      }
      case "setCustomFieldByName": {
        const problem =
          missing(b, ["subscriber_id", "field_name"]) ?? (b.field_value === undefined ? "field_value" : null);
        return problem
          ? reply(400, validationError({ [problem]: "This value should not be blank." }))
          : reply(200, { status: "success" });
      }
      case "sendFlow": {
        const problem = missing(b, ["subscriber_id", "flow_ns"]);
        return problem
          ? reply(400, validationError({ [problem]: "This value should not be blank." }))
          : reply(200, { status: "success" });
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address() as AddressInfo;
  const pathOf: Record<ManychatEndpoint, string> = {
    getInfo: "/fb/page/getInfo",
    sendContent: "/fb/sending/sendContent",
    setCustomFieldByName: "/fb/subscriber/setCustomFieldByName",
    sendFlow: "/fb/sending/sendFlow",
  };
  return {
    url: `http://127.0.0.1:${actual}`,
    received,
    /** Requests to one endpoint, e.g. calls("sendContent"). */
    calls: (endpoint: ManychatEndpoint) => received.filter((r) => r.path === pathOf[endpoint]),
    /**
     * sendContent requests per subscriber id, counted on arrival: ManyChat delivers what it
     * received even when the caller dies before reading the answer.
     */
    sendsBySubscriber: () => {
      const counts = new Map<string, number>();
      for (const r of received) {
        if (r.path !== pathOf.sendContent) continue;
        const id = String((r.body as { subscriber_id?: unknown } | null)?.subscriber_id);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    behaviour: () => behaviour,
    setBehaviour,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type ManychatFake = Awaited<ReturnType<typeof startManychatFake>>;

function errorReply(error: Exclude<ManychatFailRule["error"], "reset">, message?: string): [number, unknown] {
  switch (error) {
    case 3011:
      return [
        400,
        {
          status: "error",
          message: message ?? "Subscriber last interaction was more than 24 hours ago",
          code: 3011,
          details: { messages: [] },
        },
      ];
    case 429:
      return [429, { status: "error", message: message ?? "Too many requests" }];
    case 400:
      return [400, validationError({ subscriber_id: message ?? "Subscriber does not exist" })];
    default:
      return [error, { status: "error", message: message ?? "Internal server error" }];
  }
}

function validationError(messages: Record<string, string>) {
  return {
    status: "error",
    message: "Validation error",
    details: { messages: Object.fromEntries(Object.entries(messages).map(([k, m]) => [k, { message: [m] }])) },
  };
}

function missing(body: Record<string, unknown>, fields: string[]): string | null {
  return fields.find((f) => body[f] === undefined || body[f] === null || body[f] === "") ?? null;
}

function checkSendContent(b: Record<string, unknown>): Record<string, string> | null {
  if (missing(b, ["subscriber_id"])) return { subscriber_id: "This value should not be blank." };
  const data = b.data as { version?: unknown; content?: { messages?: unknown } } | undefined;
  if (data?.version !== "v2") return { "data.version": "Unsupported version; use v2." };
  const messages = data.content?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { "data.content.messages": "No messages." };
  if (messages.length > 10) return { "data.content.messages": "This collection should contain 10 elements or less." };
  for (const [i, m] of (messages as { type?: unknown; text?: unknown }[]).entries()) {
    if (m.type !== "text" || typeof m.text !== "string" || m.text === "") {
      return { [`data.content.messages[${i}]`]: "A text message needs a non-empty text." };
    }
    if (m.text.length > 4096) {
      return {
        [`data.content.messages[${i}].text`]: "This value is too long. It should have 4096 characters or less.",
      };
    }
  }
  return null;
}
