import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { listMessages, messagesQuerySchema } from "@/lib/rag/list-messages";

export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listMessages(identity, parseQuery(req, messagesQuerySchema))),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
