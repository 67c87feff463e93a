import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { config } from "@/lib/config";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secret-box";
import { type Tx, withTenant } from "@/lib/db/client";
import { customers, subscriptions } from "@/lib/db/schema";
import { AppError, notFound } from "@/lib/http/errors";
import { verifyManychatKey } from "@/lib/manychat/verify-api-key";
import { assertPublicWebhookUrl } from "@/lib/outbound-webhooks/public-address";
import { signingSecretFor } from "@/lib/outbound-webhooks/signing";
import { readSettings, tenantSettingsPatchSchema } from "./settings";
import { newWebhookSecret } from "./webhook-secret";

export const WEBHOOK_SECRET_HEADER = "X-Webhook-Secret";

export const customerPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    manychat_api_key: z.string().trim().min(8).max(500).nullable(),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable(),
    settings: tenantSettingsPatchSchema,
  })
  .partial()
  .strict();
export type CustomerPatch = z.output<typeof customerPatchSchema>;

async function loadProfile(tx: Tx, customerId: string, origin: string) {
  const [row] = await tx
    .select({ c: customers, p: subscriptions })
    .from(customers)
    .innerJoin(subscriptions, eq(subscriptions.id, customers.subscriptionId))
    .where(eq(customers.id, customerId));
  if (!row) throw notFound("Customer");
  const { c, p } = row;
  const base = config().APP_URL ?? origin;
  const inboundSecret = decryptSecret(c.webhookSecretEncrypted);
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    plan: {
      id: p.id,
      name: p.name,
      monthly_request_limit: p.monthlyRequestLimit,
      storage_limit_mb: p.storageLimitMb,
      price_cents: p.priceCents,
      overage_price_cents: p.overagePriceCents,
      overage_allowed: p.overageAllowed,
    },
    manychat: {
      configured: c.manychatApiKeyEncrypted !== null,
      key_last4: c.manychatKeyLast4,
      page_name: c.manychatPageName,
    },
    inbound_webhook: {
      url: new URL("/api/v1/webhook/manychat", base).toString(),
      secret_header: WEBHOOK_SECRET_HEADER,
      secret: inboundSecret,
    },
    webhook_url: c.webhookUrl,
    /** Signs the events POSTed to webhook_url (lib/outbound-webhooks/signing.ts); rotates with the inbound secret. */
    webhook_signing_secret: signingSecretFor(inboundSecret),
    settings: readSettings(c.settings),
    created_at: new Date(c.createdAt).toISOString(),
  };
}

export type CustomerProfile = Awaited<ReturnType<typeof loadProfile>>;

export function getMyCustomer(identity: Identity, origin: string): Promise<CustomerProfile> {
  return withTenant(tenantClaims(identity), (tx) => loadProfile(tx, identity.customerId as string, origin));
}

export async function updateMyCustomer(
  identity: Identity,
  patch: CustomerPatch,
  meta: RequestMeta,
  origin: string,
): Promise<CustomerProfile> {
  const changes: Partial<typeof customers.$inferInsert> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.webhook_url !== undefined) {
    // Resolved now (and again at every delivery): never a private or loopback address.
    if (patch.webhook_url !== null) await assertPublicWebhookUrl(patch.webhook_url);
    changes.webhookUrl = patch.webhook_url;
  }
  if (patch.manychat_api_key === null) {
    changes.manychatApiKeyEncrypted = null;
    changes.manychatKeyLast4 = null;
    changes.manychatPageName = null;
  } else if (patch.manychat_api_key !== undefined) {
    // Checked before the transaction: no database work waits on ManyChat.
    const check = await verifyManychatKey(patch.manychat_api_key);
    if (check.status === "rejected") {
      throw new AppError("validation_failed", "ManyChat rejected this API key.", [
        { path: "manychat_api_key", message: check.message },
      ]);
    }
    changes.manychatApiKeyEncrypted = encryptSecret(patch.manychat_api_key);
    changes.manychatKeyLast4 = patch.manychat_api_key.slice(-4);
    changes.manychatPageName = check.status === "valid" ? check.pageName : null;
  }
  const customerId = identity.customerId as string;
  return withTenant(tenantClaims(identity), async (tx) => {
    if (patch.settings !== undefined) {
      const [current] = await tx
        .select({ settings: customers.settings })
        .from(customers)
        .where(eq(customers.id, customerId));
      if (!current) throw notFound("Customer");
      changes.settings = { ...readSettings(current.settings), ...patch.settings };
    }
    if (Object.keys(changes).length > 0) {
      await tx.update(customers).set(changes).where(eq(customers.id, customerId));
      // Field names only: never the values (a key, texts the tenant may consider private).
      const audit = { actor: identity, customerId, targetType: "customer", targetId: customerId, meta };
      if (patch.manychat_api_key !== undefined) {
        await recordAudit(tx, {
          ...audit,
          action: "customer.manychat_key_changed",
          metadata: { configured: patch.manychat_api_key !== null },
        });
      }
      const fields = changedFieldNames(patch);
      if (fields.length > 0) await recordAudit(tx, { ...audit, action: "customer.updated", metadata: { fields } });
    }
    return loadProfile(tx, customerId, origin);
  });
}

/** "name", "webhook_url", "settings.ack_text", …: what a PATCH changed, without the key. */
function changedFieldNames(patch: CustomerPatch): string[] {
  const fields: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (field === "manychat_api_key" || value === undefined) continue;
    if (field === "settings" && value && typeof value === "object") {
      fields.push(...Object.keys(value).map((k) => `settings.${k}`));
    } else {
      fields.push(field);
    }
  }
  return fields;
}

export function rotateWebhookSecret(identity: Identity, meta: RequestMeta, origin: string): Promise<CustomerProfile> {
  const customerId = identity.customerId as string;
  const secret = newWebhookSecret();
  return withTenant(tenantClaims(identity), async (tx) => {
    const updated = await tx
      .update(customers)
      .set({ webhookSecretHash: secret.hash, webhookSecretEncrypted: secret.encrypted })
      .where(eq(customers.id, customerId))
      .returning({ id: customers.id });
    if (updated.length === 0) throw notFound("Customer");
    await recordAudit(tx, {
      action: "customer.webhook_secret_rotated",
      actor: identity,
      customerId,
      targetType: "customer",
      targetId: customerId,
      meta,
    });
    return loadProfile(tx, customerId, origin);
  });
}
