import { listMyAuditLogs, myAuditQuerySchema } from "@/lib/audit/list-audit-logs";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** The workspace's own audit trail, newest first (API.md list conventions). */
export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listMyAuditLogs(identity, parseQuery(req, myAuditQuerySchema))),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
