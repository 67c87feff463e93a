import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { errorStatus } from "@/lib/http/errors";
import { api, signUp, visitorIp } from "../support/api";
import { apiEndpoints, type Endpoint, fillPath } from "../support/api-routes";
import { garbledPdf, notAPdf, textPdf, truncatedPdf } from "../support/pdf-fixtures";

// Abuse resistance (issue 7): a randomized suite, bounded in count and time, that throws
// malformed JSON, values of the wrong type, huge strings, unicode edge cases (lone
// surrogates, right-to-left overrides, zero-width characters, NUL) and SQL-injection and
// script payloads at every endpoint (found by walking app/api/v1), and malformed PDFs at
// the upload. Whatever comes in: no 500, every 4xx in the error envelope with the status
// its code stands for, and the server answers normally afterwards. A failure prints
// fast-check's seed and the shrunk request to replay it.

const endpoints = apiEndpoints();
const baseUrl = () => inject("baseUrl");
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const REQUEST_TIMEOUT_MS = 20_000;

interface Tenant {
  token: string;
  secret: string;
  documentId: string;
}
let tenants: Tenant[] = [];

beforeAll(async () => {
  tenants = await Promise.all(
    [0, 1, 2].map(async () => {
      const t = await signUp({ company_name: `Fuzz ${randomUUID().slice(0, 6)}` });
      const me = await api("/api/v1/customers/me", {
        token: t.token,
        method: "PATCH",
        body: { settings: { burst_window_seconds: 0 } },
      });
      const doc = await api("/api/v1/documents/upload-url", {
        token: t.token,
        method: "POST",
        body: { filename: "reserved.pdf", size_bytes: 1000 },
      });
      return { token: t.token, secret: me.body.inbound_webhook.secret, documentId: doc.body.document_id };
    }),
  );
}, 60_000);

const NASTY = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "1; SELECT pg_sleep(10)--",
  "%' UNION SELECT email, hashed_password FROM users --",
  "$1",
  "\\",
  "<script>window.__pwned=1</script>",
  '<img src=x onerror="window.__pwned=1">',
  "javascript:alert(1)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  "{{7*7}}${7*7}",
  "../../../../etc/passwd",
  "%00",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202eevil.pdf",
  "\u200b\u200c\u200d\ufeff",
  "مرحبا بالعالم",
  "שלום",
  "e\u0301".repeat(40),
  "🧨👩‍👩‍👧‍👦",
  "",
  " ",
  "\r\n\t",
  "null",
  "NaN",
  "-1",
  "1e309",
  "__proto__",
] as const;

const nastyString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => "A".repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.string()).map(([a, b]) => a + b) },
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, -1, 0, 2 ** 53, 1e308) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("ack_text", "language", "x"), nastyString, { maxKeys: 2 }) },
);

const FIELDS = [
  "email",
  "password",
  "company_name",
  "name",
  "manychat_api_key",
  "webhook_url",
  "settings",
  "filename",
  "size_bytes",
  "question",
  "subscriber_id",
  "text",
  "first_name",
  "last_name",
  "phone",
  "language",
  "id",
  "last_input_text",
  "plan_id",
  "role",
  "reason",
  "monthly_request_limit",
  "__proto__",
  "constructor",
] as const;

/** A request body: mostly plausible field names with hostile values, else broken JSON or wrong shapes. */
const body = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "{",
      '{"name":',
      "[1,2",
      "nul",
      '{"name": "x",}',
      "\u0000",
      "",
      "   ",
      '{"__proto__": {"role": "global_admin"}}',
      '{"settings": {"constructor": {"prototype": {"x": 1}}}}',
      "\ud800",
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 100_000 }).map((n) => "[".repeat(n) + "]".repeat(n)) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ name: "x".repeat(1_100_000) })) },
);

const query = fc.dictionary(
  fc.constantFrom("limit", "cursor", "subscriber_id", "query", "customer_id", "action", "token", "days"),
  nastyString,
  { maxKeys: 3 },
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "multipart/form-data; boundary=zzz",
  "application/x-www-form-urlencoded",
  null,
);

/** Endpoints whose success would end the fuzzing tenants' sessions: called without credentials only. */
const sessionEnding = new Set(["DELETE /api/v1/customers/me", "POST /api/v1/auth/logout"]);

type Credential = "tenant" | "none" | "garbage-bearer" | "garbage-cookie";
const credential = fc.constantFrom<Credential>("tenant", "tenant", "none", "garbage-bearer", "garbage-cookie");

const request = fc.record({
  endpoint: fc.constantFrom(...endpoints),
  tenant: fc.nat({ max: 2 }),
  credential,
  param: fc.oneof(fc.constant("own"), fc.uuid().map(String), nastyString),
  query,
  body,
  contentType,
});

/** Lone surrogates cannot be percent-encoded (encodeURIComponent throws): replaced by U+FFFD. */
const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

function urlFor(e: Endpoint, param: string, own: Tenant, q: Record<string, string>): string {
  const path = fillPath(e.template, (_, catchAll) => {
    if (param === "own") return catchAll ? "x/y" : own.documentId;
    // One segment, whatever it holds: a "/" or ".." must not walk out of /api/v1.
    const encoded = encodeURIComponent(wellFormed(param.slice(0, 2000)));
    return encoded === "" || encoded === "." || encoded === ".." ? "x" : encoded;
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) search.set(k, wellFormed(v.slice(0, 4000)));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

async function send(url: string, init: { method: string; headers: Record<string, string>; body?: BodyInit }) {
  const res = await fetch(`${baseUrl()}${url}`, {
    ...init,
    redirect: "manual",
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: { error?: { code: string; request_id: string } } | null = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** No 500; a 4xx is the error envelope with the status of its code and a request id. */
function expectWellFormed(what: string, res: Awaited<ReturnType<typeof send>>) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const err = res.json?.error;
    expect(err, `${what} → ${res.status} without the envelope: ${res.text.slice(0, 300)}`).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
      request_id: expect.any(String),
    });
    if (!err) return;
    const expected = errorStatus[err.code as keyof typeof errorStatus];
    if (err.code === "limit_exceeded") expect([402, 429]).toContain(res.status);
    else expect(res.status, `${what}: ${err.code}`).toBe(expected);
    expect(res.headers.get("x-request-id")).toBe(err.request_id);
    expect(res.text, what).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
  }
}

describe("randomized requests at every endpoint", () => {
  it("never answer 500, always answer errors in the envelope", async () => {
    const seen = new Map<number, number>();
    const reachedHandler = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const key = `${r.endpoint.method} ${r.endpoint.template}`;
        const own = tenants[r.tenant] as Tenant;
        const cred: Credential = sessionEnding.has(key) && r.credential === "tenant" ? "none" : r.credential;
        const headers: Record<string, string> = { "x-forwarded-for": visitorIp() };
        if (cred === "tenant") {
          if (r.endpoint.template === "/api/v1/webhook/manychat") headers["x-webhook-secret"] = own.secret;
          else headers.authorization = `Bearer ${own.token}`;
        } else if (cred === "garbage-bearer") {
          headers.authorization = `Bearer ${r.param.slice(0, 500) || "x"}`.replace(/[^\t\x20-\x7e]/g, "?");
        } else if (cred === "garbage-cookie") {
          headers.cookie = `pa_session=${encodeURIComponent(wellFormed(r.param.slice(0, 500)))}`;
          headers.origin = baseUrl();
        }
        if (r.contentType) headers["content-type"] = r.contentType;
        const hasBody = r.endpoint.method !== "GET";
        const url = urlFor(r.endpoint, r.param, own, r.query);
        const res = await send(url, { method: r.endpoint.method, headers, body: hasBody ? r.body : undefined });
        expectWellFormed(`${r.endpoint.method} ${url.slice(0, 200)}`, res);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status !== 401 && res.status !== 403) reachedHandler.add(key);
      }),
      { numRuns: 1200, seed: SEED, plugins: [fc.interruptAfterTimeLimit(35_000)], endOnFailure: true },
    );
    console.info(`fuzz seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries(seen))}`);
    // The inputs got past authentication into the handlers' parsing, and some were valid.
    expect(seen.get(422) ?? 0).toBeGreaterThan(20);
    expect([...seen.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    const tenantEndpoints = endpoints.filter((e) => e.access === "tenant").length;
    expect(reachedHandler.size).toBeGreaterThan(tenantEndpoints / 2);
  }, 120_000);

  it("malformed PDFs at the upload: refused or kept as failed, never a 500", async () => {
    const valid = textPdf(["A short page for the upload fuzzing."]);
    const concat = (...parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
    const pdf = fc.oneof(
      fc.uint8Array({ maxLength: 4000 }),
      fc.uint8Array({ maxLength: 4000 }).map((b) => concat(new TextEncoder().encode("%PDF-1.7\n"), b)),
      fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
      fc
        .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 64 }))
        .map(([at, junk]) => concat(valid.slice(0, at), junk, valid.slice(at + junk.length))),
      fc.constantFrom(garbledPdf(), truncatedPdf(), notAPdf(), new Uint8Array()),
    );
    const filename = fc.oneof(
      fc.constantFrom("doc.pdf", "x"),
      nastyString.map((s) => s.slice(0, 300)),
    );
    await fc.assert(
      fc.asyncProperty(pdf, filename, fc.nat({ max: 2 }), async (bytes, name, i) => {
        const form = new FormData();
        form.set("file", new Blob([new Uint8Array(bytes)], { type: "application/pdf" }), name || "x");
        const res = await send("/api/v1/documents/upload", {
          method: "POST",
          headers: { authorization: `Bearer ${(tenants[i] as Tenant).token}` },
          body: form,
        });
        expectWellFormed(`upload of ${bytes.length} bytes named ${JSON.stringify(name.slice(0, 40))}`, res);
        expect([202, 409, 413, 415, 422, 429]).toContain(res.status);
      }),
      { numRuns: 40, seed: SEED, plugins: [fc.interruptAfterTimeLimit(20_000)], endOnFailure: true },
    );
  }, 60_000);

  it("the server is still healthy and serves normally afterwards", async () => {
    const health = await api("/api/v1/health");
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    expect(health.body.status).toBe("ok");
    const fresh = await signUp();
    expect((await api("/api/v1/documents", { token: fresh.token })).status).toBe(200);
  });
});
