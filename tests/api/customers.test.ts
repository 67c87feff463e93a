import { describe, expect, it } from "vitest";
import { api, expectError, signUp } from "../support/api";

describe("tenant settings", () => {
  it("GET /customers/me has the API.md shape with defaults", async () => {
    const s = await signUp({ company_name: "Garage Dupont" });
    const me = await api("/api/v1/customers/me", { token: s.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: s.customer.id,
      name: "Garage Dupont",
      plan: {
        id: expect.any(String),
        name: "Free",
        monthly_request_limit: expect.any(Number),
        storage_limit_mb: expect.any(Number),
        price_cents: 0,
      },
      manychat: { configured: false, key_last4: null },
      inbound_webhook: {
        url: expect.stringMatching(/\/api\/v1\/webhook\/manychat$/),
        secret_header: "X-Webhook-Secret",
        secret: expect.stringMatching(/^whsec_/),
      },
      webhook_url: null,
      settings: {
        ack_text: "OK, bien reçu",
        language: "fr",
        fallback_text: expect.any(String),
        refusal_text: expect.any(String),
      },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });

  it("PATCH changes name and settings, keeping the settings it was not given", async () => {
    const s = await signUp();
    const res = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: s.token,
      body: { name: "Renamed SARL", settings: { ack_text: "Bien reçu, on regarde !", language: "en" } },
    });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe("Renamed SARL");
    expect(res.body.settings).toMatchObject({ ack_text: "Bien reçu, on regarde !", language: "en", memory_turns: 6 });
    const again = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: s.token,
      body: { settings: { memory_turns: 2 } },
    });
    expect(again.body.settings).toMatchObject({ ack_text: "Bien reçu, on regarde !", memory_turns: 2 });
  });

  it("a ManyChat key is verified, stored encrypted and only its last 4 characters come back", async () => {
    const s = await signUp();
    const key = "123456:abcdefghijklmnopqrstuvWXYZ";
    const res = await api("/api/v1/customers/me", { method: "PATCH", token: s.token, body: { manychat_api_key: key } });
    expect(res.status).toBe(200);
    expect(res.body.manychat).toEqual({ configured: true, key_last4: "WXYZ", page_name: "Test Page 123456" });
    const me = await api("/api/v1/customers/me", { token: s.token });
    expect(JSON.stringify(me.body)).not.toContain("abcdefghijklmnop");

    const rejected = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: s.token,
      body: { manychat_api_key: "123456:bad-key-value" },
    });
    expectError(rejected, 422, "validation_failed");
    expect(rejected.body.error.details[0].path).toBe("manychat_api_key");
    const still = await api("/api/v1/customers/me", { token: s.token });
    expect(still.body.manychat.key_last4).toBe("WXYZ");

    const cleared = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: s.token,
      body: { manychat_api_key: null },
    });
    expect(cleared.body.manychat).toMatchObject({ configured: false, key_last4: null });
  });

  it("rotating the webhook secret replaces it", async () => {
    const s = await signUp();
    const before = await api("/api/v1/customers/me", { token: s.token });
    const rotated = await api("/api/v1/customers/me/webhook-secret", { method: "POST", token: s.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.inbound_webhook.secret).toMatch(/^whsec_/);
    expect(rotated.body.inbound_webhook.secret).not.toBe(before.body.inbound_webhook.secret);
    const after = await api("/api/v1/customers/me", { token: s.token });
    expect(after.body.inbound_webhook.secret).toBe(rotated.body.inbound_webhook.secret);
  });

  it("cookie-authenticated changes from another site are refused (CSRF)", async () => {
    const s = await signUp();
    const cookie = (s.res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const res = await api("/api/v1/customers/me", {
      method: "PATCH",
      body: { name: "Hijacked" },
      headers: { cookie, origin: "https://evil.example" },
    });
    expectError(res, 403, "forbidden");
    const me = await api("/api/v1/customers/me", { token: s.token });
    expect(me.body.name).toBe(s.company_name);
  });
});
