import "server-only";
import { randomToken } from "@/lib/crypto/local-keys";
import { encryptSecret, sha256Hex } from "@/lib/crypto/secret-box";

/** A new inbound webhook secret: the value for the tenant, its lookup hash, its sealed copy. */
export function newWebhookSecret() {
  const secret = `whsec_${randomToken(24)}`;
  return { secret, hash: sha256Hex(secret), encrypted: encryptSecret(secret) };
}
