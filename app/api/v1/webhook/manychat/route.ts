import { after } from "next/server";
import { AppError } from "@/lib/http/errors";
import { zodIssues } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { runJobNow } from "@/lib/jobs/run-jobs";
import { acceptInbound } from "@/lib/manychat/accept-inbound";
import { inboundPayloadSchema } from "@/lib/manychat/inbound-payload";

const MAX_BODY = 64 * 1024;

/**
 * ManyChat's External Request lands here. Authenticated by the tenant's webhook secret,
 * stored in one statement, acknowledged at once in ManyChat's v2 WhatsApp format; the
 * answer is produced after the response (and by the sweeper if this process dies).
 */
export const POST = apiRoute({ access: "public", resolveIdentity: false }, async ({ req }) => {
  const secret =
    req.headers.get("x-webhook-secret") ?? /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  if (!secret) throw new AppError("unauthenticated", "Send the webhook secret in the X-Webhook-Secret header.");
  const raw = await req.text();
  if (raw.length > MAX_BODY) throw new AppError("payload_too_large", "The webhook body is larger than 64 KB.");
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("validation_failed", "The body is not JSON.", [
      { path: "(body)", message: "is not valid JSON" },
    ]);
  }
  const parsed = inboundPayloadSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Send {subscriber_id, text} or ManyChat's Full Contact Data (id, last_input_text).",
      zodIssues(parsed.error),
    );
  }
  const idempotencyKey = req.headers.get("idempotency-key")?.slice(0, 200) || null;
  const accepted = await acceptInbound(secret.trim(), parsed.data, idempotencyKey);
  const { jobId, answerAt } = accepted;
  if (jobId) {
    after(async () => {
      const wait = answerAt ? answerAt.getTime() - Date.now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await runJobNow(jobId);
    });
  }
  return json({
    version: "v2",
    content: {
      type: "whatsapp",
      messages: [{ type: "text", text: accepted.ackText }],
      actions: [],
      quick_replies: [],
    },
    status: "accepted",
    message_id: accepted.messageId,
  });
});
