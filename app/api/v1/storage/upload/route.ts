import { AppError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute } from "@/lib/http/route";
import { fileStorage } from "@/lib/storage";
import { verifyUploadToken } from "@/lib/storage/local-storage";

/**
 * The embedded mode's stand-in for a storage service's signed upload URL: the token
 * (HMAC-signed, 2 h) names the one object it may write and its maximum size.
 */
export const PUT = apiRoute({ access: "public" }, async ({ req }) => {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  const grant = verifyUploadToken(token);
  if (!grant) throw new AppError("unauthenticated", "This upload URL is invalid or has expired. Request a new one.");
  if (Number(req.headers.get("content-length") ?? 0) > grant.maxBytes) {
    throw new AppError("payload_too_large", "This file is over the 20 MB limit per PDF.");
  }
  const bytes = await readCapped(req, grant.maxBytes);
  await fileStorage().put(grant.path, bytes, "application/pdf");
  return new Response(null, { status: 200 });
});

async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of req.body as unknown as AsyncIterable<Uint8Array>) {
    total += part.byteLength;
    if (total > max) throw new AppError("payload_too_large", "This file is over the 20 MB limit per PDF.");
    parts.push(part);
  }
  return Buffer.concat(parts);
}

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, POST, PATCH, DELETE, OPTIONS } = otherMethods(["PUT"]);
