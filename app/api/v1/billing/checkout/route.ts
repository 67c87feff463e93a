import { checkoutSchema, startCheckout } from "@/lib/billing/stripe/checkout";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** Where to go to change plan: Stripe Checkout, or the Customer Portal when subscribed (API.md, Billing). */
export const POST = apiRoute({ access: "tenant" }, async ({ req, identity, origin, meta }) =>
  json(await startCheckout(identity, await parseJson(req, checkoutSchema), origin, meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
