import { listDocuments } from "@/lib/documents/read-documents";
import { pageQuerySchema } from "@/lib/http/pagination";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listDocuments(identity, parseQuery(req, pageQuerySchema))),
);
