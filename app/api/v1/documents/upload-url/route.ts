import { z } from "zod";
import { createUploadUrl } from "@/lib/documents/upload-document";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

const bodySchema = z.object({
  filename: z.string().trim().min(1).max(255),
  size_bytes: z.number().int().positive(),
});

export const POST = apiRoute({ access: "tenant" }, async ({ req, identity, origin }) =>
  json(await createUploadUrl(identity, await parseJson(req, bodySchema), origin)),
);
