import "server-only";
import Stripe from "stripe";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";
import { log } from "@/lib/log";

/**
 * The Stripe SDK client of this process, or null when STRIPE_SECRET_KEY is unset (the
 * product then runs without payments: checkout and the portal answer 409). STRIPE_API_URL
 * points the real SDK at a local fake in tests (tests/fakes/stripe.ts).
 */
let cached: { key: string; client: Stripe } | undefined;

export function stripeClient(): Stripe | null {
  const cfg = config();
  const key = cfg.STRIPE_SECRET_KEY;
  if (!key) return null;
  if (cached?.key === key) return cached.client;
  const base = cfg.STRIPE_API_URL ? new URL(cfg.STRIPE_API_URL) : null;
  const client = new Stripe(key, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: "pdf-answers" },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "http:" ? 80 : 443),
          protocol: base.protocol === "http:" ? ("http" as const) : ("https" as const),
        }
      : {}),
  });
  cached = { key, client };
  return client;
}

/** Whether tenants can pay online: a Stripe secret key is configured. */
export function paymentsConfigured(): boolean {
  return Boolean(config().STRIPE_SECRET_KEY);
}

/** The client, or the 409 every payment route answers when payments are off. */
export function requireStripe(): Stripe {
  const client = stripeClient();
  if (!client) {
    throw new AppError(
      "conflict",
      "Payments are not configured on this server (STRIPE_SECRET_KEY is not set). Contact support to change plan.",
    );
  }
  return client;
}

/** Stripe answered that the object does not exist (a deleted customer or subscription). */
export function isStripeMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && err.code === "resource_missing";
}

/**
 * Stripe's failures as the app's errors: Stripe refusing what we sent (a price that
 * does not exist, a deleted customer) is a configuration conflict the caller can read;
 * Stripe being unreachable or failing is a 503 to retry later. Never a 500.
 */
export function stripeFailure(err: unknown, doing: string): AppError {
  if (err instanceof AppError) return err;
  log.warn({ err, doing }, "stripe call failed");
  if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError) {
    return new AppError("conflict", `Stripe refused to ${doing}: ${err.message}`);
  }
  return new AppError(
    "service_unavailable",
    `Stripe could not be reached to ${doing}. Try again in a minute.`,
    undefined,
    {
      headers: { "retry-after": "60" },
    },
  );
}
