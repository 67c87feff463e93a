import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for ManyChat's API speaking its wire format, for tests. The app's
 * real client is pointed at it with MANYCHAT_API_URL.
 *
 * - API keys look like "<page_id>:<token>"; a token starting with "bad" is rejected the
 *   way ManyChat rejects a wrong key.
 * - GET  /fb/page/getInfo           → {"status":"success","data":{"id":…,"name":…}}
 * - POST /fb/sending/sendContent    → {"status":"success"}
 * - GET  /__fake/requests           → what it received (for assertions from any process)
 * - POST /__fake/reset              → forget received requests
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
  at: string;
}

export async function startManychatFake(port = 0) {
  const received: ReceivedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/__fake/requests") return send(200, received);
    if (url.pathname === "/__fake/reset") {
      received.length = 0;
      return send(200, { ok: true });
    }
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(400, { status: "error", message: "Invalid JSON" });
    }
    const authorization = req.headers.authorization ?? null;
    received.push({
      method: req.method ?? "GET",
      path: url.pathname,
      authorization,
      body,
      at: new Date().toISOString(),
    });

    const key = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
    const match = /^(\d+):(.+)$/.exec(key);
    if (!match || (match[2] as string).startsWith("bad")) {
      return send(401, { status: "error", message: "Wrong format token", details: { messages: [] } });
    }
    const pageId = match[1] as string;
    if (req.method === "GET" && url.pathname === "/fb/page/getInfo") {
      return send(200, {
        status: "success",
        data: { id: Number(pageId), name: `Test Page ${pageId}`, category: "Business", timezone: "Europe/Paris" },
      });
    }
    if (req.method === "POST" && url.pathname === "/fb/sending/sendContent") {
      return send(200, { status: "success" });
    }
    return send(404, { status: "error", message: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
