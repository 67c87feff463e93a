import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A local stand-in for Sentry's ingestion endpoint, for tests: the SDK is given
 * `dsn` and posts envelopes to `POST /api/<project>/envelope/` (newline-delimited JSON:
 * an envelope header, then item header + payload pairs; gzip above 32 KB), as it would
 * to sentry.io. Events (items of type "event") are kept in order; other items
 * (client reports, sessions) are counted only.
 *
 * - GET /__fake/events → the events received, as JSON.
 */
export interface SentryEnvelope {
  header: Record<string, unknown>;
  items: { header: { type?: string; length?: number } & Record<string, unknown>; payload: unknown }[];
}

export interface SentryEvent {
  event_id?: string;
  level?: string;
  message?: string;
  tags?: Record<string, string>;
  exception?: { values?: { type?: string; value?: string; stacktrace?: unknown }[] };
  request?: { url?: string; headers?: Record<string, string>; data?: unknown; cookies?: unknown };
  [key: string]: unknown;
}

export function parseEnvelope(body: Buffer): SentryEnvelope {
  let at = 0;
  const line = (): Buffer | null => {
    if (at >= body.length) return null;
    let end = body.indexOf(0x0a, at);
    if (end === -1) end = body.length;
    const out = body.subarray(at, end);
    at = end + 1;
    return out;
  };
  const header = JSON.parse(line()?.toString("utf8") ?? "{}");
  const items: SentryEnvelope["items"] = [];
  for (let h = line(); h; h = line()) {
    if (h.length === 0) continue;
    const itemHeader = JSON.parse(h.toString("utf8"));
    let raw: Buffer;
    if (typeof itemHeader.length === "number") {
      raw = body.subarray(at, at + itemHeader.length);
      at += itemHeader.length + 1;
    } else {
      raw = line() ?? Buffer.alloc(0);
    }
    let payload: unknown = raw.toString("utf8");
    try {
      payload = JSON.parse(payload as string);
    } catch {
      // an attachment: kept as text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

export async function startSentryFake(opts: { project?: string; publicKey?: string } = {}) {
  const project = opts.project ?? "42";
  const publicKey = opts.publicKey ?? "testpublickey";
  const events: SentryEvent[] = [];
  const envelopes: SentryEnvelope[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/__fake/events") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(events));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || url.pathname !== `/api/${project}/envelope/`) {
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      try {
        const envelope = parseEnvelope(body);
        envelopes.push(envelope);
        for (const item of envelope.items) if (item.header.type === "event") events.push(item.payload as SentryEvent);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dsn: `http://${publicKey}@127.0.0.1:${port}/${project}`,
    events,
    envelopes,
    /** Waits until an event matching `match` arrived. */
    async waitForEvent(match: (e: SentryEvent) => boolean, timeoutMs = 20_000): Promise<SentryEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no matching Sentry event in ${timeoutMs} ms; received: ${JSON.stringify(events, null, 1)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SentryFake = Awaited<ReturnType<typeof startSentryFake>>;
