import { ADMIN_ROLES } from "@/lib/admin/staff";
import { setTenantStatus, tenantStatusChangeSchema } from "@/lib/admin/tenant-status";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseOptionalJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const POST = apiRoute<{ id: string }>(
  { access: "user", roles: ADMIN_ROLES },
  async ({ req, params, identity, meta }) => {
    const id = assertUuid(params.id, "Tenant");
    return json(
      await setTenantStatus(identity, id, "active", await parseOptionalJson(req, tenantStatusChangeSchema), meta),
    );
  },
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
