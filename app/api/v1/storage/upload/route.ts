import { receiveLocalUpload } from "@/lib/documents/local-upload";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute } from "@/lib/http/route";

/**
 * The embedded mode's stand-in for a storage service's signed upload URL: the token
 * (HMAC-signed, 2 h) names the one object it may create, its exact size and type; the
 * URL works once, and not after its document was completed or deleted.
 */
export const PUT = apiRoute({ access: "public" }, async ({ req }) => {
  await receiveLocalUpload(req);
  return new Response(null, { status: 200 });
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, POST, PATCH, DELETE, OPTIONS } = otherMethods(["PUT"]);
