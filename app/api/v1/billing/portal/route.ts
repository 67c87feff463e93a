import { openPortal } from "@/lib/billing/stripe/checkout";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

/** Stripe's Customer Portal for the caller's workspace (API.md, Billing). */
export const POST = apiRoute({ access: "tenant" }, async ({ identity, origin }) =>
  json(await openPortal(identity, origin)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
