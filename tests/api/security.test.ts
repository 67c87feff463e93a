import { randomUUID } from "node:crypto";
import http from "node:http";
import { describe, expect, inject, it } from "vitest";
import { verifySignature } from "@/lib/outbound-webhooks/signing";
import { api, expectError, signUp, visitorIp } from "../support/api";
import { uploadPdf } from "../support/documents";
import { textPdf } from "../support/pdf-fixtures";
import { postWebhook } from "../support/webhook";

// Issue 7's hardening, against the shared app server: security headers on pages, API and
// the direct webhook path; the tenant's audit trail (what is recorded, with whom, from
// where, and that it is its own); client addresses behind trusted proxies; body caps;
// the outbound webhook URL's SSRF checks.

const baseUrl = () => inject("baseUrl");

interface AuditItem {
  id: string;
  action: string;
  created_at: string;
  actor: { user_id: string | null; email: string | null; role: string | null };
}

function expectStaticSecurityHeaders(headers: Headers, what: string) {
  expect(headers.get("strict-transport-security"), what).toMatch(/^max-age=\d{7,}/);
  expect(headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(headers.get("permissions-policy"), what).toContain("camera=()");
  expect(headers.get("x-frame-options"), what).toBe("DENY");
}

describe("security headers", () => {
  it("pages carry a CSP with a fresh nonce per response, used by the page's own scripts", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${baseUrl()}/login`);
      expect(res.status).toBe(200);
      expectStaticSecurityHeaders(res.headers, "/login");
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce, csp).toBeTruthy();
      nonces.push(nonce as string);
      expect(csp).toContain("'strict-dynamic'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("API responses, errors included, carry the static headers and a policy that allows nothing", async () => {
    for (const res of [
      await fetch(`${baseUrl()}/api/v1/health`),
      await fetch(`${baseUrl()}/api/v1/customers/me`),
      await fetch(`${baseUrl()}/api/v1/no-such-endpoint`),
    ]) {
      expectStaticSecurityHeaders(res.headers, res.url);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
  });

  it("the webhook, answered by server.ts before Next.js, carries them too", async () => {
    const res = await postWebhook("whsec_wrong", { subscriber_id: "x", text: "hi" });
    expectError(res, 401, "unauthenticated");
    expectStaticSecurityHeaders(res.headers, "webhook");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("the tenant's audit trail", () => {
  const ua = `security-test/${randomUUID().slice(0, 6)}`;
  const list = async (token: string, query = "") =>
    api(`/api/v1/customers/me/audit-logs${query}`, { token, headers: { "user-agent": ua } });

  it("records settings, key and secret changes, uploads, deletions and logins with actor, IP and user agent", async () => {
    const owner = await signUp();
    const ip = visitorIp();
    const as = { token: owner.token, headers: { "x-forwarded-for": ip, "user-agent": ua } };
    const key = `${Date.now()}:tok${randomUUID().replaceAll("-", "")}`;
    const rename = await api("/api/v1/customers/me", {
      ...as,
      method: "PATCH",
      body: { name: "Renamed Shop", settings: { ack_text: "Got it, secret plan 42", memory_turns: 4 } },
    });
    expect(rename.status, JSON.stringify(rename.body)).toBe(200);
    const keyed = await api("/api/v1/customers/me", { ...as, method: "PATCH", body: { manychat_api_key: key } });
    expect(keyed.status, JSON.stringify(keyed.body)).toBe(200);
    const rotated = await api("/api/v1/customers/me/webhook-secret", { ...as, method: "POST" });
    expect(rotated.status).toBe(200);
    const up = await uploadPdf(owner.token, textPdf(["Audit trail test page."]), "audited.pdf");
    expect(up.status).toBe(202);
    const del = await api(`/api/v1/documents/${up.body.document.id}`, { ...as, method: "DELETE" });
    expect(del.status).toBe(204);
    const login = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: owner.email, password: owner.password },
      headers: { "x-forwarded-for": ip, "user-agent": ua },
    });
    expect(login.status).toBe(200);

    const res = await list(owner.token, "?limit=200");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    const entries = res.body.items as AuditItem[];
    const byAction = (action: string) => entries.filter((e) => e.action === action);
    const actor = { user_id: owner.user.id, email: owner.email, role: "account_user" };

    expect(byAction("customer.updated")).toEqual([
      expect.objectContaining({
        actor,
        ip,
        user_agent: ua,
        target_type: "customer",
        target_id: owner.customer.id,
        request_id: expect.any(String),
        metadata: { fields: ["name", "settings.ack_text", "settings.memory_turns"] },
      }),
    ]);
    expect(byAction("customer.manychat_key_changed")).toEqual([
      expect.objectContaining({ actor, ip, user_agent: ua, metadata: { configured: true } }),
    ]);
    expect(byAction("customer.webhook_secret_rotated")).toEqual([expect.objectContaining({ actor, ip })]);
    expect(byAction("document.uploaded")).toEqual([
      expect.objectContaining({
        actor,
        target_type: "document",
        target_id: up.body.document.id,
        metadata: { filename: "audited.pdf", size_bytes: expect.any(Number) },
      }),
    ]);
    expect(byAction("document.deleted")).toEqual([
      expect.objectContaining({ actor, ip, user_agent: ua, target_id: up.body.document.id }),
    ]);
    expect(byAction("auth.login")).toEqual([expect.objectContaining({ actor, ip, user_agent: ua })]);
    expect(byAction("auth.signup")).toHaveLength(1);

    // Names of what changed, never the values: not the key, not the texts, not the secrets.
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(key);
    expect(text).not.toContain("secret plan 42");
    expect(text).not.toContain(rotated.body.inbound_webhook.secret);
    expect(text).not.toContain(owner.password);

    // Newest first.
    const times = entries.map((e) => Date.parse(e.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(entries[0]?.action).toBe("auth.login");
  });

  it("pages with a cursor, newest first, without gaps or repeats", async () => {
    const owner = await signUp();
    for (let i = 0; i < 4; i++) {
      const r = await api("/api/v1/customers/me", {
        token: owner.token,
        method: "PATCH",
        body: { settings: { memory_turns: i } },
      });
      expect(r.status).toBe(200);
    }
    const all = (await list(owner.token, "?limit=200")).body.items.map((e: { id: string }) => e.id);
    expect(all).toHaveLength(5); // signup + 4 changes
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const res = await list(owner.token, q);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((e: { id: string }) => e.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expectError(await list(owner.token, "?cursor=not-a-cursor"), 422, "validation_failed");
    expectError(await list(owner.token, "?limit=0"), 422, "validation_failed");
  });

  it("a tenant sees only its own entries", async () => {
    const a = await signUp();
    const b = await signUp();
    await api("/api/v1/customers/me/webhook-secret", { token: b.token, method: "POST" });
    const mine = (await list(a.token, "?limit=200")).body.items as AuditItem[];
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect(e.actor.user_id).toBe(a.user.id);
    expect(JSON.stringify(mine)).not.toContain(b.customer.id);
    expectError(await api("/api/v1/customers/me/audit-logs"), 401, "unauthenticated");
  });
});

describe("client addresses behind a trusted proxy", () => {
  it("takes the address the trusted proxy saw, not what the client wrote before it", async () => {
    // The test server trusts one proxy (TRUST_PROXY=1): the tests act as that proxy.
    const spoofed = "6.6.6.6";
    const real = visitorIp();
    const owner = await signUp();
    const res = await api("/api/v1/customers/me/webhook-secret", {
      token: owner.token,
      method: "POST",
      headers: { "x-forwarded-for": `${spoofed}, ${real}` },
    });
    expect(res.status).toBe(200);
    const [entry] = (await api("/api/v1/customers/me/audit-logs?limit=1", { token: owner.token })).body.items;
    expect(entry).toMatchObject({ action: "customer.webhook_secret_rotated", ip: real });
  });
});

describe("body size caps", () => {
  it("refuses a JSON body over 1 MB, declared or streamed without a length", async () => {
    const owner = await signUp();
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) });
    expectError(
      await api("/api/v1/customers/me", { token: owner.token, method: "PATCH", rawBody: big }),
      413,
      "payload_too_large",
    );
    const chunked = await streamed(`${baseUrl()}/api/v1/customers/me`, "PATCH", owner.token, big, "application/json");
    expect(chunked.status).toBe(413);
    expect(chunked.body?.error.code).toBe("payload_too_large");
  });

  it("refuses an upload over the cap while it streams, without a length", async () => {
    const owner = await signUp();
    const boundary = "----cap";
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.pdf"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.4\n`;
    const body = head + "x".repeat(22 * 1024 * 1024);
    const send = () =>
      streamed(
        `${baseUrl()}/api/v1/documents/upload`,
        "POST",
        owner.token,
        body,
        `multipart/form-data; boundary=${boundary}`,
      );
    // The server answers 413 and closes while the client is still writing; a reset can then
    // overtake the answer on the client's side (TCP). Asked again, it answers the same.
    let res = await send().catch(() => null);
    for (let attempt = 1; !res && attempt < 3; attempt++) res = await send().catch(() => null);
    if (!res) throw new Error("the server never answered the oversized upload (3 attempts)");
    expect(res.status).toBe(413);
    expect(res.body?.error.code).toBe("payload_too_large");
  });

  it("refuses a NUL character in a stored text with 422, not a database error", async () => {
    const owner = await signUp();
    const res = await api("/api/v1/customers/me", { token: owner.token, method: "PATCH", body: { name: "a\u0000b" } });
    expectError(res, 422, "validation_failed");
    expect(res.body.error.details).toEqual([{ path: "name", message: "contains a NUL character" }]);
  });
});

/**
 * Sends a body as a stream (chunked transfer encoding: no Content-Length), on a
 * connection of its own: the server answers before the body ends and drops the rest.
 */
function streamed(url: string, method: string, token: string, text: string, type: string) {
  return new Promise<{ status: number; body: { error: { code: string } } | null }>((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent: false, headers: { authorization: `Bearer ${token}`, "content-type": type } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : null });
        });
      },
    );
    // The server may close the connection while the rest is still being written.
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") reject(err);
      else setTimeout(() => reject(new Error(`no answer before the connection closed: ${err.code}`)), 5000).unref();
    });
    const bytes = Buffer.from(text);
    let at = 0;
    const pump = () => {
      while (at < bytes.length) {
        const chunk = bytes.subarray(at, at + 64 * 1024);
        at += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("the outbound webhook URL", () => {
  it("is refused (422) when it points at a private, loopback or link-local address, or is not http(s)", async () => {
    const owner = await signUp();
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://localhost/hook",
      "http://[::1]/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.1.2.3/",
      "http://192.168.0.10/",
      "ftp://93.184.215.14/",
      "https://user:pw@93.184.215.14/",
    ]) {
      const res = await api("/api/v1/customers/me", {
        token: owner.token,
        method: "PATCH",
        body: { webhook_url: url },
      });
      expectError(res, 422, "validation_failed");
      expect(res.body.error.details, url).toEqual([expect.objectContaining({ path: "webhook_url" })]);
    }
    const me = await api("/api/v1/customers/me", { token: owner.token });
    expect(me.body.webhook_url).toBeNull();
  });

  it("is saved when public; the signing secret is shown and changes with the inbound secret", async () => {
    const owner = await signUp();
    const saved = await api("/api/v1/customers/me", {
      token: owner.token,
      method: "PATCH",
      body: { webhook_url: "https://93.184.215.14/hooks/pdf-answers" },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.webhook_url).toBe("https://93.184.215.14/hooks/pdf-answers");
    const signing = saved.body.webhook_signing_secret as string;
    expect(signing).toMatch(/^whsign_/);
    expect(signing).not.toBe(saved.body.inbound_webhook.secret);
    const body = '{"id":"x"}';
    expect(verifySignature(signing, body, `t=1,v1=${"0".repeat(64)}`, { now: 1 })).toBe(false);
    const rotated = await api("/api/v1/customers/me/webhook-secret", { token: owner.token, method: "POST" });
    expect(rotated.body.webhook_signing_secret).toMatch(/^whsign_/);
    expect(rotated.body.webhook_signing_secret).not.toBe(signing);
    const cleared = await api("/api/v1/customers/me", {
      token: owner.token,
      method: "PATCH",
      body: { webhook_url: null },
    });
    expect(cleared.body.webhook_url).toBeNull();
  });
});
