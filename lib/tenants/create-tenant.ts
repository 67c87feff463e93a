import "server-only";
import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import { AppError } from "@/lib/http/errors";
import { newWebhookSecret } from "./webhook-secret";

/** Creates a tenant on the default (Free) plan with its inbound webhook secret. */
export async function createTenant(tx: Tx, name: string) {
  const [plan] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.isDefault, true))
    .limit(1);
  if (!plan) throw new AppError("internal", "No default plan is configured.");
  const secret = newWebhookSecret();
  const [customer] = await tx
    .insert(customers)
    .values({
      name,
      subscriptionId: plan.id,
      webhookSecretHash: secret.hash,
      webhookSecretEncrypted: secret.encrypted,
    })
    .returning({ id: customers.id, name: customers.name });
  return customer as { id: string; name: string };
}
