import { describe, expect, it } from "vitest";

// Behind a TLS-terminating proxy that is not trusted (TRUST_PROXY=0), the app sees plain
// http requests; an https APP_URL still says browsers reach it over HTTPS, so the session
// cookie must be Secure.
process.env.APP_URL = "https://answers.example.test";
process.env.TRUST_PROXY = "0";

describe("session cookie", () => {
  it("is Secure when APP_URL is https, even though the request arrived over http", async () => {
    const { sessionCookieOptions } = await import("./route");
    const options = sessionCookieOptions(new Request("http://10.0.0.5:3000/api/v1/auth/login"), 3600);
    expect(options).toMatchObject({ secure: true, httpOnly: true, sameSite: "lax" });
  });
});
