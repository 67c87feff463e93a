import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, expectError, signUp } from "../support/api";
import { postWebhook, tenantWithDocument, waitForSends } from "../support/webhook";

// GET /billing/usage: this period's answered questions and document storage against the
// plan's limits, for the tenant alone.
describe("GET /billing/usage", () => {
  it("counts answered questions and stored documents, against the Free plan's limits", async () => {
    const shop = await tenantWithDocument([["Opening hours: 9am to 6pm, Monday to Saturday."]], "hours.pdf", {
      settings: { burst_window_seconds: 0 },
    });
    const before = await api("/api/v1/billing/usage", { token: shop.token });
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toMatchObject({
      requests_used: 0,
      request_limit: 100,
      storage_limit_mb: 50,
      overage_requests: 0,
      estimated_overage_cents: 0,
      plan: { name: "Free", overage_allowed: false },
    });
    const docs = await api("/api/v1/documents", { token: shop.token });
    expect(before.body.storage_used_bytes).toBe(docs.body.items[0].size_bytes);
    expect(before.body.storage_used_mb).toBe(Math.round((before.body.storage_used_bytes / 1048576) * 100) / 100);
    const start = new Date(before.body.period_start);
    expect(start.getUTCDate()).toBe(1);
    expect(new Date(before.body.period_end).getUTCMonth()).toBe((start.getUTCMonth() + 1) % 12);

    const subscriber = `sub-${randomUUID()}`;
    expect((await postWebhook(shop.secret, { subscriber_id: subscriber, text: "When are you open?" })).status).toBe(
      200,
    );
    await waitForSends(subscriber, 1);
    const query = await api("/api/v1/query", {
      method: "POST",
      token: shop.token,
      body: { question: "Opening hours?" },
    });
    expect(query.status).toBe(200);
    await expect
      .poll(async () => (await api("/api/v1/billing/usage", { token: shop.token })).body.requests_used, {
        timeout: 10_000,
      })
      .toBe(2);

    // Another tenant's usage is its own.
    const other = await signUp();
    const theirs = await api("/api/v1/billing/usage", { token: other.token });
    expect(theirs.body).toMatchObject({ requests_used: 0, storage_used_bytes: 0 });
  });

  it("needs a signed-in tenant", async () => {
    expectError(await api("/api/v1/billing/usage"), 401, "unauthenticated");
  });
});
