import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { conversationsQuerySchema, listConversations } from "@/lib/rag/list-conversations";

/** The conversation list of the dashboard: one item per customer, the most recent first. */
export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listConversations(identity, parseQuery(req, conversationsQuerySchema))),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
