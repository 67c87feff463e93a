import { openPortal } from "@/lib/billing/stripe/checkout";
import { apiRoute, json } from "@/lib/http/route";

/** Stripe's Customer Portal for the caller's workspace (API.md, Billing). */
export const POST = apiRoute({ access: "tenant" }, async ({ identity, origin }) =>
  json(await openPortal(identity, origin)),
);
