import { describe, expect, it } from "vitest";
import { forwardedValue, publicOrigin } from "./forwarded";

const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;

describe("publicOrigin", () => {
  it("without a trusted proxy, X-Forwarded-Host and -Proto are ignored", () => {
    const get = headers({ host: "app.example.com", "x-forwarded-host": "evil.test", "x-forwarded-proto": "https" });
    expect(publicOrigin(get, "http", "localhost:3000", 0)).toBe("http://app.example.com");
  });

  it("behind a trusted proxy they name the public origin", () => {
    const get = headers({
      host: "10.0.0.5:3000",
      "x-forwarded-host": "answers.example.com",
      "x-forwarded-proto": "https",
    });
    expect(publicOrigin(get, "http", "localhost:3000", 1)).toBe("https://answers.example.com");
  });

  it("takes the entry of the outermost trusted proxy when values were appended", () => {
    expect(forwardedValue("evil.test, answers.example.com", 1)).toBe("answers.example.com");
    expect(forwardedValue("evil.test, cdn.example.com, lb.internal", 2)).toBe("cdn.example.com");
    expect(forwardedValue("answers.example.com", 3)).toBe("answers.example.com");
    expect(forwardedValue("answers.example.com", 0)).toBeNull();
    expect(forwardedValue(" , ", 1)).toBeNull();
  });

  it("a host that is not a host name falls back; a scheme other than http(s) is ignored", () => {
    const get = headers({ host: "a.test", "x-forwarded-host": "evil.test/path?x", "x-forwarded-proto": "javascript" });
    expect(publicOrigin(get, "https", "localhost:3000", 1)).toBe("https://a.test");
    expect(publicOrigin(headers({ host: "a b" }), "https", "localhost:3000", 0)).toBe("https://localhost:3000");
    expect(publicOrigin(headers({ host: "[::1]:3000" }), "http", "x", 0)).toBe("http://[::1]:3000");
  });
});
