import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { queryDocuments, querySchema } from "@/lib/rag/query-documents";

export const maxDuration = 60;

export const POST = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await queryDocuments(identity, await parseJson(req, querySchema))),
);
