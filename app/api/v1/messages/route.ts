import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { listMessages, messagesQuerySchema } from "@/lib/rag/list-messages";

export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listMessages(identity, parseQuery(req, messagesQuerySchema))),
);
