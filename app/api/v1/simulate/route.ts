import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { simulateMessage, simulateSchema } from "@/lib/rag/simulate-message";

// The reply waits for the tenant's burst window (up to 30 s) and the answer itself.
export const maxDuration = 60;

/**
 * The dashboard's "Simulate a WhatsApp message": a ManyChat delivery for the tenant's
 * test subscriber, answered in the response and never sent through ManyChat.
 */
export const POST = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(
    await simulateMessage(identity, await parseJson(req, simulateSchema), {
      idempotencyKey: req.headers.get("idempotency-key")?.slice(0, 200) || null,
    }),
  ),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
