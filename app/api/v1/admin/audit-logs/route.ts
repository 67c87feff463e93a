import { auditQuerySchema, listAuditLogs } from "@/lib/admin/audit-log";
import { STAFF_ROLES } from "@/lib/admin/staff";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "user", roles: STAFF_ROLES }, async ({ req, identity, meta }) =>
  json(await listAuditLogs(identity, parseQuery(req, auditQuerySchema), meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
