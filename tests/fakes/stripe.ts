import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Stripe API speaking its wire format, for tests: the app's real
 * SDK client is pointed at it with STRIPE_API_URL.
 *
 * - Requests are form-encoded with bracketed keys (`line_items[0][price]=price_x`), as
 *   the SDK sends them; answers are JSON objects with Stripe's `object` field.
 * - Errors use Stripe's envelope with a 4xx: `{"error":{"type":"invalid_request_error",
 *   "code":"resource_missing","message":"No such price: 'price_x'","param":"…"}}`.
 * - POST /v1/customers · GET /v1/customers/:id
 * - POST /v1/checkout/sessions (mode, customer, line_items[].price must be known prices)
 *   → a session with a `url` on this server
 * - GET /v1/subscriptions?customer=&status= · GET /v1/subscriptions/:id ·
 *   DELETE /v1/subscriptions/:id (cancels). Subscriptions
 *   are set by the test (setSubscription), as Stripe would after a checkout or a change.
 * - POST /v1/billing_portal/sessions → a session with a `url` and the `flow` asked for
 * - POST /v1/billing/meter_events: recorded; an identifier seen before is refused (400)
 *   like Stripe's uniqueness check.
 * - `down = true`: every call answers 500 api_error (Stripe failing or unreachable).
 * - `requests`: every call with its parsed body, for assertions.
 */

export interface StripeRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  idempotencyKey: string | null;
  authorization: string | null;
}

export interface FakeSubscription {
  id: string;
  object: "subscription";
  customer: string;
  status: string;
  metadata: Record<string, string>;
  items: {
    object: "list";
    data: { id: string; object: "subscription_item"; price: FakePrice; quantity?: number }[];
  };
}

export interface FakePrice {
  id: string;
  object: "price";
  recurring: { interval: "month"; usage_type: "licensed" | "metered" };
}

type Json = Record<string, unknown>;

/** `a[b][0][c]=x` → {a:{b:[{c:"x"}]}}, as Stripe reads the SDK's bodies. */
export function parseStripeForm(text: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const head = key.split("[")[0] as string;
    const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] as string);
    const path = [head, ...rest];
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(path[i + 1] as string);
      const k: string | number = Array.isArray(node) ? (segment === "" ? node.length : Number(segment)) : segment;
      const container = node as Record<string | number, unknown>;
      if (last) container[k] = value;
      else {
        container[k] ??= nextIsIndex ? [] : {};
        node = container[k] as Record<string, unknown> | unknown[];
      }
    });
  }
  return root;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString("hex")}`;

export async function startStripeFake() {
  const customers = new Map<string, Json>();
  const sessions = new Map<string, Json>();
  const subscriptions = new Map<string, FakeSubscription>();
  const prices = new Map<string, FakePrice>();
  const portalSessions: Json[] = [];
  const meterEvents = new Map<string, Json>();
  const requests: StripeRequest[] = [];
  const state = { down: false };
  let base = "";

  const stripeError = (res: http.ServerResponse, status: number, error: Json) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": newId("req") });
    res.end(JSON.stringify({ error }));
  };
  const missing = (res: http.ServerResponse, what: string, id: string, param = "id") =>
    stripeError(res, 404, {
      type: "invalid_request_error",
      code: "resource_missing",
      message: `No such ${what}: '${id}'`,
      param,
    });
  const send = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { "content-type": "application/json", "request-id": newId("req") });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const body = parseStripeForm(req.method === "GET" || req.method === "DELETE" ? url.search.slice(1) : text);
    const method = req.method ?? "GET";
    const path = url.pathname;
    requests.push({
      method,
      path,
      body,
      idempotencyKey: (req.headers["idempotency-key"] as string | undefined) ?? null,
      authorization: req.headers.authorization ?? null,
    });
    if (!req.headers.authorization?.startsWith("Bearer sk_")) {
      return stripeError(res, 401, { type: "invalid_request_error", message: "Invalid API Key provided." });
    }
    if (state.down) return stripeError(res, 500, { type: "api_error", message: "The fake Stripe is down." });

    const customerPath = path.match(/^\/v1\/customers\/([^/]+)$/);
    const subscriptionPath = path.match(/^\/v1\/subscriptions\/([^/]+)$/);
    if (method === "POST" && path === "/v1/customers") {
      const customer = {
        id: newId("cus"),
        object: "customer",
        name: body.name ?? null,
        email: body.email ?? null,
        metadata: body.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return send(res, customer);
    }
    if (method === "GET" && customerPath) {
      const id = customerPath[1] as string;
      const c = customers.get(id);
      return c ? send(res, c) : missing(res, "customer", id);
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      if (body.mode !== "subscription" && body.mode !== "payment" && body.mode !== "setup") {
        return stripeError(res, 400, {
          type: "invalid_request_error",
          message: "Missing required param: mode.",
          param: "mode",
        });
      }
      if (typeof body.customer === "string" && !customers.has(body.customer)) {
        return missing(res, "customer", body.customer, "customer");
      }
      const items = (body.line_items as { price?: string }[] | undefined) ?? [];
      for (const [i, item] of items.entries()) {
        if (!item.price || !prices.has(item.price)) {
          return missing(res, "price", String(item.price), `line_items[${i}][price]`);
        }
      }
      const id = newId("cs_test");
      const session = {
        id,
        object: "checkout.session",
        mode: body.mode,
        customer: body.customer ?? null,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        status: "open",
        subscription: null,
        url: `${base}/checkout/${id}`,
      };
      sessions.set(id, session);
      return send(res, session);
    }
    if (method === "GET" && path === "/v1/subscriptions") {
      // The list endpoint: filtered by customer, and by status ("all" keeps canceled ones).
      const status = typeof body.status === "string" ? body.status : null;
      const data = [...subscriptions.values()].filter(
        (x) =>
          (typeof body.customer !== "string" || x.customer === body.customer) &&
          (status === "all" || (status ? x.status === status : x.status !== "canceled")),
      );
      return send(res, { object: "list", url: "/v1/subscriptions", has_more: false, data });
    }
    if (method === "GET" && subscriptionPath) {
      const id = subscriptionPath[1] as string;
      const s = subscriptions.get(id);
      return s ? send(res, s) : missing(res, "subscription", id);
    }
    if (method === "DELETE" && subscriptionPath) {
      const id = subscriptionPath[1] as string;
      const s = subscriptions.get(id);
      if (!s) return missing(res, "subscription", id);
      s.status = "canceled";
      return send(res, s);
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      if (typeof body.customer !== "string" || !customers.has(body.customer)) {
        return missing(res, "customer", String(body.customer), "customer");
      }
      const session = {
        id: newId("bps"),
        object: "billing_portal.session",
        customer: body.customer,
        return_url: body.return_url ?? null,
        flow: body.flow_data ?? null,
        url: `${base}/portal/${newId("session")}`,
      };
      portalSessions.push(session);
      return send(res, session);
    }
    if (method === "POST" && path === "/v1/billing/meter_events") {
      const identifier = String(body.identifier ?? newId("mev"));
      if (meterEvents.has(identifier)) {
        return stripeError(res, 400, {
          type: "invalid_request_error",
          message: `An event with identifier ${identifier} already exists.`,
          param: "identifier",
        });
      }
      const event = {
        object: "billing.meter_event",
        event_name: body.event_name,
        identifier,
        payload: body.payload,
        timestamp: Number(body.timestamp ?? Math.floor(Date.now() / 1000)),
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      };
      meterEvents.set(identifier, event);
      return send(res, event);
    }
    return stripeError(res, 404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    customers,
    sessions,
    subscriptions,
    portalSessions,
    meterEvents,
    state,
    /** A price the account has (checkout refuses unknown ones, as Stripe does). */
    addPrice(id: string, usage: "licensed" | "metered" = "licensed"): FakePrice {
      const price: FakePrice = { id, object: "price", recurring: { interval: "month", usage_type: usage } };
      prices.set(id, price);
      return price;
    },
    /** Creates or replaces a subscription as Stripe holds it now. */
    setSubscription(sub: { id?: string; customer: string; status: string; prices: string[]; metadata?: Json }) {
      const id = sub.id ?? newId("sub");
      const existing = subscriptions.get(id);
      const subscription: FakeSubscription = {
        id,
        object: "subscription",
        customer: sub.customer,
        status: sub.status,
        metadata: (sub.metadata as Record<string, string>) ?? existing?.metadata ?? {},
        items: {
          object: "list",
          data: sub.prices.map((p, i) => ({
            id: existing?.items.data[i]?.id ?? newId("si"),
            object: "subscription_item" as const,
            price: prices.get(p) ?? {
              id: p,
              object: "price",
              recurring: { interval: "month", usage_type: "licensed" },
            },
            ...(prices.get(p)?.recurring.usage_type === "metered" ? {} : { quantity: 1 }),
          })),
        },
      };
      subscriptions.set(id, subscription);
      return subscription;
    },
    requestsTo(method: string, path: string | RegExp) {
      return requests.filter(
        (r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StripeFake = Awaited<ReturnType<typeof startStripeFake>>;
