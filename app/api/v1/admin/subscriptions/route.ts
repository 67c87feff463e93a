import { listPlans, planInputSchema, savePlan } from "@/lib/admin/plans";
import { ADMIN_ROLES, STAFF_ROLES } from "@/lib/admin/staff";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "user", roles: STAFF_ROLES }, async ({ identity, meta }) =>
  json(await listPlans(identity, meta)),
);

export const POST = apiRoute({ access: "user", roles: ADMIN_ROLES }, async ({ req, identity, meta }) => {
  const { plan, created } = await savePlan(identity, await parseJson(req, planInputSchema), meta);
  return json(plan, created ? 201 : 200);
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
