import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError, signUp } from "../support/api";
import { uploadPdf, waitForDocument } from "../support/documents";
import { textPdf } from "../support/pdf-fixtures";
import { postWebhook, type Tenant, tenantWithDocument } from "../support/webhook";

// The Conversations view: one row per customer with the status of their latest
// question, searchable, paginated, and invisible to every other tenant.

interface Item {
  subscriber_id: string;
  name: string | null;
  phone: string | null;
  channel: string;
  message_count: number;
  last_message: { id: string; direction: string; preview: string; status: string; created_at: string };
  last_inbound_status: string | null;
  match: string | null;
}

const list = async (token: string, qs = "") => {
  const res = await api(`/api/v1/conversations${qs}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Item[]; next_cursor: string | null };
};

/** Polls until every message of the subscriber is settled (answered, failed…) and a reply exists. */
async function waitSettled(token: string, subscriber: string, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/api/v1/messages?subscriber_id=${encodeURIComponent(subscriber)}`, { token });
    const items = res.body.items as { direction: string; status: string }[];
    const settled =
      items.some((m) => m.direction === "outbound") &&
      items.every((m) => m.direction === "outbound" || m.status !== "pending");
    if (settled) return items;
    if (Date.now() > deadline) throw new Error(`${subscriber} not settled: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const sessionCookie = (t: { res: { headers: Headers } }) => {
  const cookie = t.res.headers.getSetCookie().find((c) => c.startsWith("pa_session="));
  expect(cookie, "signup sets the session cookie").toBeTruthy();
  return (cookie as string).split(";")[0] as string;
};

const page = async (path: string, cookie: string) => {
  const { inject } = await import("vitest");
  const res = await fetch(`${inject("baseUrl")}${path}`, { headers: { cookie }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
};

let acme: Tenant;
let other: Tenant;
const giulia = `wa-${randomUUID()}`;
const marco = `wa-${randomUUID()}`;
const apiClient = `crm-${randomUUID()}`;

beforeAll(async () => {
  acme = await tenantWithDocument(
    [
      ["Welcome to Acme bikes. We sell city bikes and mountain bikes."],
      ["Warranty: every Acme bike frame has a warranty of 5 years.", "Batteries are covered for 2 years."],
    ],
    "acme-guide.pdf",
  );
  other = await tenantWithDocument([["Zenith sells scooters only."]], "zenith.pdf");

  // Giulia asks (answered), Marco asks something off-topic (unanswered), a CRM asks
  // through the API, then Giulia asks again: she is the most recent.
  const customer = { first_name: "Giulia", last_name: "Rossi", phone: "+39 333 1234567" };
  await postWebhook(acme.secret, { subscriber_id: giulia, text: "How long is the frame warranty?", ...customer });
  await waitSettled(acme.token, giulia);
  await postWebhook(acme.secret, {
    subscriber_id: marco,
    text: "Do you deliver pizzas to Tokyo on Sundays?",
    first_name: "Marco",
    last_name: "Bianchi",
  });
  await waitSettled(acme.token, marco);
  const viaApi = await api("/api/v1/query", {
    method: "POST",
    token: acme.token,
    body: { question: "What bikes do you sell?", subscriber_id: apiClient },
  });
  expect(viaApi.status, JSON.stringify(viaApi.body)).toBe(200);
  await postWebhook(acme.secret, { subscriber_id: giulia, text: "Are batteries covered too?", ...customer });
  const messages = await waitSettled(acme.token, giulia);
  expect(messages).toHaveLength(4);
}, 120_000);

describe("GET /conversations", () => {
  it("lists one row per customer, most recent first, with the status of their latest question", async () => {
    const { items, next_cursor } = await list(acme.token);
    expect(next_cursor).toBeNull();
    expect(items.map((c) => c.subscriber_id)).toEqual([giulia, apiClient, marco]);
    const [g, c, m] = items as [Item, Item, Item];
    expect(g).toMatchObject({
      name: "Giulia Rossi",
      phone: "+39 333 1234567",
      channel: "whatsapp",
      message_count: 4,
      last_inbound_status: "answered",
      last_message: { direction: "outbound", status: "sent", created_at: expect.any(String), id: expect.any(String) },
      match: null,
    });
    expect(g.last_message.preview).toMatch(/2 years/);
    expect(g.last_message.preview.length).toBeLessThanOrEqual(160);
    expect(Date.parse(g.last_message.created_at)).toBeGreaterThan(Date.parse(c.last_message.created_at));
    // Question and answer of /query are stored at the same instant: the answer is still the latest.
    expect(c).toMatchObject({ name: null, phone: null, channel: "api", message_count: 2 });
    expect(c.last_message).toMatchObject({ direction: "outbound", status: "sent" });
    expect(c.last_inbound_status).toBe("answered");
    expect(m).toMatchObject({ name: "Marco Bianchi", channel: "whatsapp", last_inbound_status: "unanswered" });
  });

  it("searches message text, names and phone numbers, case-insensitively", async () => {
    const byText = await list(acme.token, "?query=PIZZAS");
    expect(byText.items.map((c) => c.subscriber_id)).toEqual([marco]);
    expect(byText.items[0]?.match).toMatch(/pizzas to Tokyo/);

    // A word of an answer counts too ("5 years" is only in Giulia's first answer).
    expect((await list(acme.token, "?query=5%20years")).items.map((c) => c.subscriber_id)).toEqual([giulia]);

    const byName = await list(acme.token, "?query=giulia");
    expect(byName.items.map((c) => c.subscriber_id)).toEqual([giulia]);
    expect(byName.items[0]?.match).toBeNull();
    expect((await list(acme.token, "?query=bianchi")).items.map((c) => c.subscriber_id)).toEqual([marco]);

    // Phone numbers match however they are spaced.
    expect((await list(acme.token, "?query=%2B393331234")).items.map((c) => c.subscriber_id)).toEqual([giulia]);
    expect((await list(acme.token, "?query=333%201234")).items.map((c) => c.subscriber_id)).toEqual([giulia]);

    // Wildcards are taken literally.
    expect((await list(acme.token, "?query=%25")).items).toEqual([]);
    expect((await list(acme.token, "?query=_")).items).toEqual([]);
    expect((await list(acme.token, "?query=nothing-like-this")).items).toEqual([]);

    // An empty query lists everything.
    expect((await list(acme.token, "?query=%20")).items).toHaveLength(3);
  });

  it("paginates with a cursor, without gaps or repeats", async () => {
    const all = (await list(acme.token)).items.map((c) => c.subscriber_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await list(acme.token, qs);
      expect(res.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.items.map((c) => c.subscriber_id));
      cursor = res.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(all);

    // Pagination and search together (every customer asked a question: "?").
    const first = await list(acme.token, "?query=%3F&limit=2");
    expect(first.items.map((c) => c.subscriber_id)).toEqual([giulia, apiClient]);
    const second = await list(acme.token, `?query=%3F&limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((c) => c.subscriber_id)).toEqual([marco]);
    expect(second.next_cursor).toBeNull();
  });

  it("validates its query string", async () => {
    expectError(await api("/api/v1/conversations?limit=0", { token: acme.token }), 422, "validation_failed");
    expectError(await api("/api/v1/conversations?limit=201", { token: acme.token }), 422, "validation_failed");
    expectError(await api("/api/v1/conversations?cursor=garbage", { token: acme.token }), 422, "validation_failed");
    const notUuid = Buffer.from(JSON.stringify([new Date().toISOString(), "x"])).toString("base64url");
    expectError(await api(`/api/v1/conversations?cursor=${notUuid}`, { token: acme.token }), 422, "validation_failed");
    expectError(
      await api(`/api/v1/conversations?query=${"a".repeat(201)}`, { token: acme.token }),
      422,
      "validation_failed",
    );
    expectError(await api("/api/v1/conversations"), 401, "unauthenticated");
  });

  it("shows a failed answer as failed (ManyChat not connected)", async () => {
    const t = await signUp();
    const up = await uploadPdf(t.token, textPdf([["Opening hours: 9 to 18."]]), "hours.pdf");
    await waitForDocument(t.token, up.body.document.id);
    const me = await api("/api/v1/customers/me", { token: t.token });
    const subscriber = `wa-${randomUUID()}`;
    await postWebhook(me.body.inbound_webhook.secret, { subscriber_id: subscriber, text: "When do you open?" });
    // Right after arriving, the message waits for the burst window: it is pending.
    expect((await list(t.token)).items[0]).toMatchObject({ subscriber_id: subscriber, last_inbound_status: "pending" });
    await waitSettled(t.token, subscriber);
    expect((await list(t.token)).items[0]).toMatchObject({ subscriber_id: subscriber, last_inbound_status: "failed" });
    const thread = await page(`/dashboard/conversations/${subscriber}`, sessionCookie(t));
    expect(thread.status).toBe(200);
    expect(thread.html).toContain("This reply did not reach the customer.");
    expect(thread.html).toContain("ManyChat is not connected");
  });

  it("another tenant sees none of it", async () => {
    expect((await list(other.token)).items).toEqual([]);
    expect((await list(other.token, "?query=giulia")).items).toEqual([]);
    expect((await list(other.token, "?query=pizzas")).items).toEqual([]);
    const log = await api(`/api/v1/messages?subscriber_id=${giulia}`, { token: other.token });
    expect(log.body.items).toEqual([]);
    const theirs = await page(`/dashboard/conversations/${giulia}`, sessionCookie(other));
    expect(theirs.status).toBe(404);
    expect(theirs.html).not.toContain("Giulia");
    const listPage = await page("/dashboard/conversations", sessionCookie(other));
    expect(listPage.status).toBe(200);
    expect(listPage.html).toContain("No conversations yet");
    expect(listPage.html).not.toContain("Giulia");
  });
});

describe("dashboard pages", () => {
  it("the list and the thread render the conversation for its tenant", async () => {
    const cookie = sessionCookie(acme);
    const listPage = await page("/dashboard/conversations?q=giulia", cookie);
    expect(listPage.status).toBe(200);
    expect(listPage.html).toContain("Giulia Rossi");
    expect(listPage.html).not.toContain("Marco Bianchi");

    const thread = await page(`/dashboard/conversations/${encodeURIComponent(giulia)}`, cookie);
    expect(thread.status).toBe(200);
    expect(thread.html).toContain("How long is the frame warranty?");
    expect(thread.html).toMatch(/📄 (<!-- -->)?<\/span>acme-guide\.pdf(<!-- -->)?, p\. (<!-- -->)?2/);
    expect(thread.html).toContain("<details");

    const viaApi = await page(`/dashboard/conversations/${encodeURIComponent(apiClient)}`, cookie);
    expect(viaApi.status).toBe(200);
    expect(viaApi.html.indexOf("What bikes do you sell?")).toBeGreaterThan(0);
    expect(viaApi.html.indexOf("What bikes do you sell?"), "the question comes before its answer").toBeLessThan(
      viaApi.html.indexOf('data-direction="outbound"'),
    );

    // Subscriber ids are free text for API callers: any character survives the URL.
    const odd = `crm: Zoë/42 %20 ${randomUUID().slice(0, 4)}`;
    const t = await signUp();
    await api("/api/v1/query", {
      method: "POST",
      token: t.token,
      body: { question: "Hello there?", subscriber_id: odd },
    });
    const [row] = (await list(t.token)).items;
    expect(row?.subscriber_id).toBe(odd);
    const oddThread = await page(`/dashboard/conversations/${encodeURIComponent(odd)}`, sessionCookie(t));
    expect(oddThread.status).toBe(200);
    expect(oddThread.html).toContain("Hello there?");

    expect((await page("/dashboard/conversations/nobody-at-all", cookie)).status).toBe(404);
    expect((await page(`/dashboard/conversations/${"x".repeat(150)}`, cookie)).status).toBe(404);
  });
});
