import { createUploadUrl, uploadUrlSchema } from "@/lib/documents/upload-document";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const POST = apiRoute({ access: "tenant" }, async ({ req, identity, origin }) =>
  json(await createUploadUrl(identity, await parseJson(req, uploadUrlSchema), origin)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
