import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/http/errors";
import { assertPublicWebhookUrl, isPublicAddress, PrivateAddressError, publicOnlyLookup } from "./public-address";
import { signatureHeader, signingSecretFor, verifySignature } from "./signing";

describe("isPublicAddress", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",
    "2001:db8::1",
    // IPv4-compatible (deprecated ::/96): what `http://[::127.0.0.1]/` is parsed to.
    "::127.0.0.1",
    "::7f00:1",
    "::10.0.0.1",
    "::8.8.8.8",
    // IPv4-mapped and NAT64 however they are written.
    "0:0:0:0:0:ffff:7f00:1",
    "0000:0000:0000:0000:0000:ffff:127.0.0.1",
    "::FFFF:127.0.0.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b:0:0:0:0:7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::8.8.8.8",
    // SIIT IPv4-translated (::ffff:0:0:0/96).
    "::ffff:0:7f00:1",
    "::ffff:0:8.8.8.8",
    // Outside the global unicast range 2000::/3, or special inside it.
    "::2",
    "100::1",
    "4000::1",
    "fc00::",
    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::1%eth0",
    "febf::1",
    "2001::1", // Teredo
    "2002:7f00:1::1", // 6to4 of 127.0.0.1
    "3fff::1",
  ])("%s is not public", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    "93.184.215.14",
    "8.8.8.8",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4007:80e::200e",
    "::ffff:8.8.8.8",
    "0:0:0:0:0:ffff:808:808",
    "64:ff9b::8.8.8.8",
  ])("%s is public", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it("anything that is not an address is not public", () => {
    expect(isPublicAddress("localhost")).toBe(false);
    expect(isPublicAddress("")).toBe(false);
  });
});

describe("assertPublicWebhookUrl (at save time)", () => {
  const refused = async (url: string) => {
    const err = await assertPublicWebhookUrl(url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, url).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("validation_failed");
    expect((err as AppError).details).toEqual([{ path: "webhook_url", message: expect.any(String) }]);
  };

  it("refuses loopback, private and link-local hosts, however they are written", async () => {
    for (const url of [
      "http://127.0.0.1/hook",
      "http://localhost:3000/hook",
      "http://[::1]/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.5/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://0177.0.0.1/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::127.0.0.1]/",
      "http://[0:0:0:0:0:ffff:127.0.0.1]/",
      "http://[64:ff9b::127.0.0.1]/",
      "http://[::ffff:0:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
    ]) {
      await refused(url);
    }
  });

  it("refuses other schemes and credentials in the URL", async () => {
    await refused("ftp://93.184.215.14/");
    await refused("file:///etc/passwd");
    await refused("https://user:secret@93.184.215.14/hook");
    await refused("not a url");
  });

  it("accepts a public address, and a host that does not resolve (checked again at every delivery)", async () => {
    await expect(assertPublicWebhookUrl("https://93.184.215.14/hook")).resolves.toBeUndefined();
    await expect(assertPublicWebhookUrl("https://no-such-host.invalid/hook")).resolves.toBeUndefined();
  });
});

describe("publicOnlyLookup (at send time)", () => {
  const lookup = (host: string, all: boolean) =>
    promisify((cb: (err: Error | null, result?: unknown) => void) =>
      publicOnlyLookup(host, { all }, (err, address) => cb(err, address)),
    )();

  it("fails for a name that resolves to a loopback address, so no connection is made", async () => {
    await expect(lookup("localhost", false)).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(lookup("localhost", true)).rejects.toBeInstanceOf(PrivateAddressError);
  });
});

describe("event signatures", () => {
  const secret = signingSecretFor("whsec_inbound-secret");

  it("derives a signing secret that differs from the inbound secret and changes with it", () => {
    expect(secret).toMatch(/^whsign_[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toContain("inbound-secret");
    expect(signingSecretFor("whsec_other")).not.toBe(secret);
    expect(signingSecretFor("whsec_inbound-secret")).toBe(secret);
  });

  it("verifies t=…,v1=… over <t>.<body> and refuses a changed body, key or an old timestamp", () => {
    const body = JSON.stringify({ id: "e1", type: "message.answered" });
    const now = 1_800_000_000;
    const header = signatureHeader(secret, body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, body, header, { now })).toBe(true);
    expect(verifySignature(secret, `${body} `, header, { now })).toBe(false);
    expect(verifySignature(signingSecretFor("whsec_x"), body, header, { now })).toBe(false);
    expect(verifySignature(secret, body, header, { now: now + 301 })).toBe(false);
    expect(verifySignature(secret, body, "garbage", { now })).toBe(false);
  });
});
