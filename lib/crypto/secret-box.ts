import "server-only";
import crypto from "node:crypto";
import { config } from "@/lib/config";
import { readOrCreateKeyFile } from "./local-keys";

/**
 * AES-256-GCM for secrets at rest (ManyChat API keys, webhook secrets). Format:
 * "v1.<iv>.<tag>.<ciphertext>", base64url parts. The key comes from ENCRYPTION_KEY,
 * or in the embedded mode from a key file generated under DATA_DIR.
 */
let cachedKey: Buffer | undefined;

function key(): Buffer {
  if (cachedKey) return cachedKey;
  const fromEnv = config().ENCRYPTION_KEY;
  const b64 = fromEnv ?? readOrCreateKeyFile("encryption.key", () => crypto.randomBytes(32).toString("base64"));
  cachedKey = Buffer.from(b64.trim(), "base64");
  return cachedKey;
}

export function encryptSecret(plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("Unrecognised encrypted secret format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

export function sha256Hex(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/**
 * HMAC-SHA256 signatures for short-lived tokens (e.g. local signed upload URLs). Each
 * purpose gets its own key, derived from the encryption key with HKDF, so a signature
 * made for one purpose never verifies for another and the encryption key itself is
 * never used as a MAC key.
 */
const macKeys = new Map<string, Buffer>();

function macKey(purpose: string): Buffer {
  let k = macKeys.get(purpose);
  if (!k) {
    k = Buffer.from(crypto.hkdfSync("sha256", key(), Buffer.alloc(0), `pdf-answers/hmac/${purpose}`, 32));
    macKeys.set(purpose, k);
  }
  return k;
}

/** The base64url HMAC-SHA256 of `data` under the key for `purpose`. */
export function hmacSign(purpose: string, data: string): string {
  return crypto.createHmac("sha256", macKey(purpose)).update(data, "utf8").digest("base64url");
}

/** Whether `signature` is hmacSign(purpose, data), compared in constant time. */
export function hmacVerify(purpose: string, data: string, signature: string): boolean {
  const expected = Buffer.from(hmacSign(purpose, data), "base64url");
  const given = Buffer.from(signature, "base64url");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
