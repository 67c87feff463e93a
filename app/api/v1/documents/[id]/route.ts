import { getDocument } from "@/lib/documents/read-documents";
import { assertUuid } from "@/lib/http/ids";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute<{ id: string }>({ access: "tenant" }, async ({ params, identity }) =>
  json(await getDocument(identity, assertUuid(params.id, "Document"))),
);
