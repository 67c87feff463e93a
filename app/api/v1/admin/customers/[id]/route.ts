import { ADMIN_ROLES, STAFF_ROLES } from "@/lib/admin/staff";
import { changeTenantPlan, tenantPlanChangeSchema } from "@/lib/admin/tenant-plan";
import { getTenantSupportView } from "@/lib/admin/tenant-support-view";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** The read-only support view of one tenant; every call is recorded in the audit trail. */
export const GET = apiRoute<{ id: string }>(
  { access: "user", roles: STAFF_ROLES },
  async ({ params, identity, meta }) =>
    json(await getTenantSupportView(identity, assertUuid(params.id, "Tenant"), meta)),
);

/** Puts the tenant on another plan (global_admin; audited). */
export const PATCH = apiRoute<{ id: string }>(
  { access: "user", roles: ADMIN_ROLES },
  async ({ req, params, identity, meta }) => {
    const id = assertUuid(params.id, "Tenant");
    return json(await changeTenantPlan(identity, id, await parseJson(req, tenantPlanChangeSchema), meta));
  },
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, DELETE, OPTIONS } = otherMethods(["GET", "PATCH"]);
