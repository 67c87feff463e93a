import { describe, expect, it } from "vitest";
import { api, expectError, signUp, visitorIp } from "../support/api";

describe("accounts", () => {
  it("signup creates the user, a tenant on the Free plan, and signs them in", async () => {
    const s = await signUp({ company_name: "Boulangerie Martin" });
    expect(s.res.body).toMatchObject({
      token_type: "bearer",
      expires_in: expect.any(Number),
      user: { id: expect.any(String), email: s.email, role: "account_user" },
      customer: { id: expect.any(String), name: "Boulangerie Martin" },
    });
    expect(s.res.headers.get("set-cookie")).toMatch(/pa_session=.+HttpOnly/i);
    const me = await api("/api/v1/customers/me", { token: s.token });
    expect(me.status).toBe(200);
    expect(me.body.plan.name).toBe("Free");
    expect(me.body.inbound_webhook.secret).toMatch(/^whsec_/);
  });

  it("the session cookie alone authenticates page-style requests", async () => {
    const s = await signUp();
    const cookie = (s.res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const me = await api("/api/v1/customers/me", { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe(s.company_name);
  });

  it("a duplicate email is a 409, whatever its case", async () => {
    const s = await signUp();
    const again = await api("/api/v1/auth/signup", {
      method: "POST",
      body: { email: s.email.toUpperCase(), password: "another long password", company_name: "Copycat" },
      headers: { "x-forwarded-for": visitorIp() },
    });
    expectError(again, 409, "conflict");
  });

  it("passwords shorter than 10 characters are refused with the field named", async () => {
    const res = await api("/api/v1/auth/signup", {
      method: "POST",
      body: { email: "short@example.test", password: "123456789", company_name: "Shorty" },
    });
    expectError(res, 422, "validation_failed");
    expect(res.body.error.details).toEqual([{ path: "password", message: expect.stringContaining("10") }]);
  });

  it("login returns the same shape; wrong password and unknown email get the same 401", async () => {
    const s = await signUp();
    const ok = await api("/api/v1/auth/login", { method: "POST", body: { email: s.email, password: s.password } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      token_type: "bearer",
      user: { email: s.email },
      customer: { name: s.company_name },
    });

    const wrong = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: s.email, password: "nope nope nope" },
    });
    const unknown = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: "nobody@example.test", password: s.password },
    });
    expectError(wrong, 401, "invalid_credentials");
    expectError(unknown, 401, "invalid_credentials");
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it("logout revokes the token and clears the cookie", async () => {
    const s = await signUp();
    const out = await api("/api/v1/auth/logout", { method: "POST", token: s.token });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/pa_session=;.*Max-Age=0/i);
    expectError(await api("/api/v1/customers/me", { token: s.token }), 401, "unauthenticated");
  });

  it("no token, a forged token and a malformed header are all 401", async () => {
    expectError(await api("/api/v1/customers/me"), 401, "unauthenticated");
    const s = await signUp();
    const [h, p] = s.token.split(".");
    const payload = JSON.parse(Buffer.from(p as string, "base64url").toString());
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...payload, sub: "00000000-0000-0000-0000-000000000000" }),
    ).toString("base64url");
    expectError(
      await api("/api/v1/customers/me", { token: `${h}.${forgedPayload}.${s.token.split(".")[2]}` }),
      401,
      "unauthenticated",
    );
    expectError(await api("/api/v1/customers/me", { token: "not-a-jwt" }), 401, "unauthenticated");
    expectError(
      await api("/api/v1/customers/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } }),
      401,
      "unauthenticated",
    );
  });

  it("repeated failed logins for one email are rate limited with Retry-After", async () => {
    const s = await signUp();
    let last = await api("/api/v1/auth/login", {
      method: "POST",
      body: { email: s.email, password: "wrong password" },
    });
    for (let i = 0; i < 10 && last.status === 401; i++) {
      last = await api("/api/v1/auth/login", {
        method: "POST",
        body: { email: s.email, password: "wrong password" },
        headers: { "x-forwarded-for": visitorIp() },
      });
    }
    expectError(last, 429, "rate_limited");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even the right password is refused while the limit holds.
    const right = await api("/api/v1/auth/login", { method: "POST", body: { email: s.email, password: s.password } });
    expectError(right, 429, "rate_limited");
  });

  it("an email listed in ADMIN_EMAILS becomes global_admin at signup", async () => {
    const admin = await signUp({ email: "admin@example.test" });
    expect(admin.user.role).toBe("global_admin");
    const list = await api("/api/v1/admin/customers", { token: admin.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toContain(admin.company_name);
  });
});
