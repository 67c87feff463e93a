import "server-only";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { readOrCreateKeyFile } from "@/lib/crypto/local-keys";
import { isUuid } from "@/lib/http/ids";

/**
 * ES256 session tokens of the embedded auth mode. The signing key is generated on
 * first start and kept under DATA_DIR/keys. A token names its session row, so
 * logout revokes it.
 */
const ISSUER = "pdf-answers";
const AUDIENCE = "authenticated";

type KeyPair = { privateKey: CryptoKey; publicKey: CryptoKey; kid: string };
let keys: Promise<KeyPair> | undefined;

async function loadKeys(): Promise<KeyPair> {
  const stored = readOrCreateKeyFile("jwt-es256.json", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    return JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "ES256" });
  });
  const jwk = JSON.parse(stored) as JWK;
  const { d: _d, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, "ES256")) as CryptoKey,
    publicKey: (await importJWK(publicJwk, "ES256")) as CryptoKey,
    kid: jwk.kid ?? "default",
  };
}

function getKeys(): Promise<KeyPair> {
  keys ??= loadKeys().catch((err) => {
    keys = undefined;
    throw err;
  });
  return keys;
}

export async function signSessionToken(input: {
  userId: string;
  email: string;
  sessionId: string;
  ttlSeconds: number;
}): Promise<string> {
  const { privateKey, kid } = await getKeys();
  return new SignJWT({ email: input.email, sid: input.sessionId, role: "authenticated" })
    .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
    .setSubject(input.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${input.ttlSeconds}s`)
    .sign(privateKey);
}

export async function verifySessionToken(token: string): Promise<{ userId: string; sessionId: string } | null> {
  const { publicKey } = await getKeys();
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["ES256"],
    });
    // Signed by us, yet ids that are not UUIDs name no user or session: not signed in
    // (a non-UUID in the session look-up would be a SQL error, a 500).
    if (!isUuid(payload.sub) || !isUuid(payload.sid)) return null;
    return { userId: payload.sub, sessionId: payload.sid };
  } catch {
    return null;
  }
}
