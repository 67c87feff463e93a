import { apiRoute, json } from "@/lib/http/route";
import { rotateWebhookSecret } from "@/lib/tenants/customer-profile";

export const POST = apiRoute({ access: "tenant" }, async ({ identity, meta, origin }) =>
  json(await rotateWebhookSecret(identity, meta, origin)),
);
