import { listPlans, planInputSchema, savePlan } from "@/lib/admin/plans";
import { ADMIN_ROLES, STAFF_ROLES } from "@/lib/admin/staff";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute({ access: "user", roles: STAFF_ROLES }, async ({ identity, meta }) =>
  json(await listPlans(identity, meta)),
);

export const POST = apiRoute({ access: "user", roles: ADMIN_ROLES }, async ({ req, identity, meta }) => {
  const { plan, created } = await savePlan(identity, await parseJson(req, planInputSchema), meta);
  return json(plan, created ? 201 : 200);
});
