import { handleStripeWebhook } from "@/lib/billing/stripe/webhook";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { readTextCapped } from "@/lib/http/read-body";
import { apiRoute, json } from "@/lib/http/route";

/**
 * Stripe's webhook. Public: the Stripe-Signature header, checked on the raw body, is the
 * authentication; a bad one is a 400 and changes nothing.
 */
export const POST = apiRoute({ access: "public", resolveIdentity: false }, async ({ req }) => {
  const body = await readTextCapped(req, 512 * 1024, "The Stripe event is larger than 512 KB.");
  return json(await handleStripeWebhook(body, req.headers.get("stripe-signature")));
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
