import { ADMIN_ROLES } from "@/lib/admin/staff";
import { setTenantStatus, tenantStatusChangeSchema } from "@/lib/admin/tenant-status";
import { assertUuid } from "@/lib/http/ids";
import { parseOptionalJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const POST = apiRoute<{ id: string }>(
  { access: "user", roles: ADMIN_ROLES },
  async ({ req, params, identity, meta }) => {
    const id = assertUuid(params.id, "Tenant");
    return json(
      await setTenantStatus(identity, id, "suspended", await parseOptionalJson(req, tenantStatusChangeSchema), meta),
    );
  },
);
