import { STAFF_ROLES } from "@/lib/admin/staff";
import { getTenantSupportView } from "@/lib/admin/tenant-support-view";
import { assertUuid } from "@/lib/http/ids";
import { apiRoute, json } from "@/lib/http/route";

/** The read-only support view of one tenant; every call is recorded in the audit trail. */
export const GET = apiRoute<{ id: string }>(
  { access: "user", roles: STAFF_ROLES },
  async ({ params, identity, meta }) =>
    json(await getTenantSupportView(identity, assertUuid(params.id, "Tenant"), meta)),
);
