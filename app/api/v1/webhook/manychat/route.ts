import { after, type NextRequest } from "next/server";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { readTextCapped } from "@/lib/http/read-body";
import { apiRoute, json } from "@/lib/http/route";
import { acknowledgeWebhook, answerAfterAck, MAX_WEBHOOK_BODY, recordWebhookAck } from "@/lib/manychat/webhook-handler";

/**
 * ManyChat's External Request lands here. Authenticated by the tenant's webhook secret,
 * stored in one statement, acknowledged at once in ManyChat's v2 WhatsApp format; the
 * answer is produced after the response (and by the sweeper if this process dies).
 * Self-hosted, server.ts serves this path itself before Next's router (the same
 * acknowledgeWebhook); this route serves it on Vercel and under `next start`.
 */
const acknowledge = apiRoute({ access: "public", resolveIdentity: false }, async ({ req, setTenantId }) => {
  const body = await readTextCapped(req, MAX_WEBHOOK_BODY, "The webhook body is larger than 64 KB.");
  const ack = await acknowledgeWebhook((name) => req.headers.get(name), body);
  setTenantId(ack.customerId);
  if (ack.jobId) after(() => answerAfterAck(ack));
  return json(ack.body);
});

/** The acknowledgement, timed for webhook_ack_duration_seconds{server="next"}. */
export async function POST(req: NextRequest, context: { params: Promise<Record<string, never>> }) {
  const started = performance.now();
  const response = await acknowledge(req, context);
  recordWebhookAck("next", response.status, started);
  return response;
}

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
