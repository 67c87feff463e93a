import { describe, expect, it } from "vitest";
import { clientIpFrom, normalizeIp } from "./client-ip";

describe("clientIpFrom (TRUST_PROXY hops)", () => {
  // server.ts appends the peer, so the last entry is whoever connected to the app.
  it("with no trusted proxy, the client is the peer: what the client wrote is ignored", () => {
    expect(clientIpFrom("6.6.6.6, 127.0.0.1", 0)).toBe("127.0.0.1");
    expect(clientIpFrom("203.0.113.9", 0)).toBe("203.0.113.9");
  });

  it("with one trusted proxy, the client is the address that proxy saw", () => {
    expect(clientIpFrom("203.0.113.9, 10.0.0.2", 1)).toBe("203.0.113.9");
    // A client forging the header only adds entries before the ones we trust.
    expect(clientIpFrom("6.6.6.6, 203.0.113.9, 10.0.0.2", 1)).toBe("203.0.113.9");
  });

  it("with more hops than entries, the first entry is the best there is", () => {
    expect(clientIpFrom("203.0.113.9", 2)).toBe("203.0.113.9");
  });

  it("drops what is not an address", () => {
    expect(clientIpFrom(null, 1)).toBeNull();
    expect(clientIpFrom("", 0)).toBeNull();
    expect(clientIpFrom("<script>, 127.0.0.1", 1)).toBeNull();
    expect(clientIpFrom("' OR 1=1 --", 0)).toBeNull();
  });

  it("normalizes ports, brackets and IPv4-mapped IPv6", () => {
    expect(normalizeIp("[2001:DB8::1]:443")).toBe("2001:db8::1");
    expect(normalizeIp("198.51.100.4:8080")).toBe("198.51.100.4");
    expect(normalizeIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
  });
});
