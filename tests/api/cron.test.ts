import { describe, expect, it } from "vitest";
import { api, expectError } from "../support/api";

// Vercel Cron calls the sweeper with the CRON_SECRET as a bearer token.
describe("GET /cron/sweep", () => {
  it("refuses a missing or wrong secret", async () => {
    expectError(await api("/api/v1/cron/sweep"), 401, "unauthenticated");
    expectError(await api("/api/v1/cron/sweep", { token: "not-the-secret" }), 401, "unauthenticated");
  });

  it("runs a sweep with the right secret", async () => {
    const res = await api("/api/v1/cron/sweep", { token: "test-cron-secret" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      processed: expect.any(Number),
      abandoned_uploads: expect.any(Number),
      expired_messages: expect.any(Number),
    });
  });
});
