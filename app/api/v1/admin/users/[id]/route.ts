import { ADMIN_ROLES } from "@/lib/admin/staff";
import { setUserRole, userRoleSchema } from "@/lib/admin/user-role";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** Changes a user's role (how support accounts are made). */
export const PATCH = apiRoute<{ id: string }>(
  { access: "user", roles: ADMIN_ROLES },
  async ({ req, params, identity, meta }) =>
    json(await setUserRole(identity, assertUuid(params.id, "User"), await parseJson(req, userRoleSchema), meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, POST, PUT, DELETE, OPTIONS } = otherMethods(["PATCH"]);
