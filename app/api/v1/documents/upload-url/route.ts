import { createUploadUrl, uploadUrlSchema } from "@/lib/documents/upload-document";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const POST = apiRoute({ access: "tenant" }, async ({ req, identity, origin }) =>
  json(await createUploadUrl(identity, await parseJson(req, uploadUrlSchema), origin)),
);
