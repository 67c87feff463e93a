import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { queryDocuments, querySchema } from "@/lib/rag/query-documents";

export const maxDuration = 60;

// The dashboard's playground calls this with its session cookie, API clients with a token.
export const POST = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(
    await queryDocuments(identity, await parseJson(req, querySchema), identity.via === "cookie" ? "playground" : "api"),
  ),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
