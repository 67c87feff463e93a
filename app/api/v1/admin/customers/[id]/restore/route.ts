import { restoreCustomer } from "@/lib/gdpr/account-deletion";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

/** A global admin restores a workspace scheduled for deletion, within its grace period. */
export const POST = apiRoute<{ id: string }>(
  { access: "user", roles: ["global_admin"] },
  async ({ params, identity, meta }) => json(await restoreCustomer(identity, assertUuid(params.id, "Tenant"), meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
