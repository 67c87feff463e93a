import { STAFF_ROLES } from "@/lib/admin/staff";
import { getSystemHealth } from "@/lib/admin/system-health";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "user", roles: STAFF_ROLES }, async ({ identity, meta }) =>
  json(await getSystemHealth(identity, meta)),
);
