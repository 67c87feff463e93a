import { STAFF_ROLES } from "@/lib/admin/staff";
import { getSystemHealth } from "@/lib/admin/system-health";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "user", roles: STAFF_ROLES }, async ({ identity, meta }) =>
  json(await getSystemHealth(identity, meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
