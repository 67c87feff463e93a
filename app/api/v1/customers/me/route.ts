import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { customerPatchSchema, getMyCustomer, updateMyCustomer } from "@/lib/tenants/customer-profile";

export const GET = apiRoute({ access: "tenant" }, async ({ identity, origin }) =>
  json(await getMyCustomer(identity, origin)),
);

export const PATCH = apiRoute({ access: "tenant" }, async ({ req, identity, meta, origin }) => {
  const patch = await parseJson(req, customerPatchSchema);
  return json(await updateMyCustomer(identity, patch, meta, origin));
});
