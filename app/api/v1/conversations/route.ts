import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { conversationsQuerySchema, listConversations } from "@/lib/rag/list-conversations";

/** The conversation list of the dashboard: one item per customer, the most recent first. */
export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listConversations(identity, parseQuery(req, conversationsQuerySchema))),
);
