import { after } from "next/server";
import { AppError } from "@/lib/http/errors";
import { apiRoute, json } from "@/lib/http/route";
import { acknowledgeWebhook, answerAfterAck, MAX_WEBHOOK_BODY } from "@/lib/manychat/webhook-handler";

/**
 * ManyChat's External Request lands here. Authenticated by the tenant's webhook secret,
 * stored in one statement, acknowledged at once in ManyChat's v2 WhatsApp format; the
 * answer is produced after the response (and by the sweeper if this process dies).
 * Self-hosted, server.ts serves this path itself before Next's router (the same
 * acknowledgeWebhook); this route serves it on Vercel and under `next start`.
 */
export const POST = apiRoute({ access: "public", resolveIdentity: false }, async ({ req }) => {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_WEBHOOK_BODY) {
    throw new AppError("payload_too_large", "The webhook body is larger than 64 KB.");
  }
  const ack = await acknowledgeWebhook((name) => req.headers.get(name), await req.text());
  if (ack.jobId) after(() => answerAfterAck(ack));
  return json(ack.body);
});
