import { describe, expect, it } from "vitest";
import { api, expectError, signUp } from "../support/api";

describe("bad input gets a clear 4xx with the error envelope, never a 500", () => {
  it.each([
    ["/api/v1/auth/signup", "POST"],
    ["/api/v1/auth/login", "POST"],
  ])("malformed JSON to %s → 400 invalid_json", async (path, method) => {
    expectError(await api(path, { method, rawBody: '{"email": "a@b.c", ' }), 400, "invalid_json");
    expectError(await api(path, { method, rawBody: "" }), 400, "invalid_json");
  });

  it("malformed JSON to an authenticated PATCH → 400", async () => {
    const s = await signUp();
    expectError(
      await api("/api/v1/customers/me", { method: "PATCH", token: s.token, rawBody: "{nope" }),
      400,
      "invalid_json",
    );
  });

  it("wrong types and missing fields → 422 listing each field path", async () => {
    const res = await api("/api/v1/auth/signup", { method: "POST", body: { email: 42, password: ["x"] } });
    expectError(res, 422, "validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["company_name", "email", "password"]);

    const notObject = await api("/api/v1/auth/login", { method: "POST", body: [1, 2, 3] });
    expectError(notObject, 422, "validation_failed");
  });

  it("nested settings errors name the nested path; unknown fields are refused", async () => {
    const s = await signUp();
    const res = await api("/api/v1/customers/me", {
      method: "PATCH",
      token: s.token,
      body: { settings: { language: "klingon", memory_turns: "six" }, webhook_url: "ftp://x" },
    });
    expectError(res, 422, "validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["settings.language", "settings.memory_turns", "webhook_url"]);
    const unknown = await api("/api/v1/customers/me", { method: "PATCH", token: s.token, body: { plan_id: "x" } });
    expectError(unknown, 422, "validation_failed");
  });

  it("an account_user on an admin route → 403", async () => {
    const s = await signUp();
    expectError(await api("/api/v1/admin/customers", { token: s.token }), 403, "forbidden");
  });

  it("a body over 1 MB → 413", async () => {
    const big = JSON.stringify({ email: "x@y.z", password: "p".repeat(1_100_000), company_name: "Big" });
    expectError(await api("/api/v1/auth/signup", { method: "POST", rawBody: big }), 413, "payload_too_large");
  });

  it("unknown API paths and non-UUID ids → 404 envelope", async () => {
    expectError(await api("/api/v1/does-not-exist"), 404, "not_found");
    const s = await signUp();
    expectError(await api("/api/v1/documents/not-a-uuid", { token: s.token }), 404, "not_found");
  });

  it("bad list parameters → 422", async () => {
    const s = await signUp();
    expectError(await api("/api/v1/documents?limit=5000", { token: s.token }), 422, "validation_failed");
    expectError(await api("/api/v1/documents?cursor=garbage", { token: s.token }), 422, "validation_failed");
  });

  it("a caller-supplied request id is echoed back", async () => {
    const res = await api("/api/v1/health", { headers: { "x-request-id": "req-abcdef123" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-abcdef123");
    expect(res.body).toMatchObject({ status: "ok", database: "ok" });
  });
});
