import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";
import { rotateWebhookSecret } from "@/lib/tenants/customer-profile";

export const POST = apiRoute({ access: "tenant" }, async ({ identity, meta, origin }) =>
  json(await rotateWebhookSecret(identity, meta, origin)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
