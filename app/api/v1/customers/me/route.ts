import { requestDeletion } from "@/lib/gdpr/account-deletion";
import { otherMethods } from "@/lib/http/method-not-allowed";
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

/** GDPR deletion: unreachable at once, restorable by an admin for 30 days, then purged. */
export const DELETE = apiRoute({ access: "tenant" }, async ({ identity, meta }) =>
  json(await requestDeletion(identity, meta), 202),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, OPTIONS } = otherMethods(["GET", "PATCH", "DELETE"]);
