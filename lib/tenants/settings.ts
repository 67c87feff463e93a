import { z } from "zod";

export const languages = ["fr", "en", "es", "de", "it", "pt", "nl", "ar"] as const;

/** Messages older than this are deleted (lib/gdpr/message-retention.ts), unless the tenant sets otherwise. */
export const DEFAULT_MESSAGE_RETENTION_DAYS = 365;

/** Tenant settings with their defaults; stored as jsonb in customers.settings. */
export const tenantSettingsSchema = z.object({
  ack_text: z.string().trim().min(1).max(1000).default("OK, bien reçu"),
  fallback_text: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .default("Désolé, nous ne pouvons pas répondre pour le moment. Un membre de l'équipe vous recontactera."),
  refusal_text: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .default("Je ne trouve pas cette information dans nos documents. Un membre de l'équipe vous répondra."),
  /** Sent instead of an answer when a plan without overage has used its monthly requests. */
  limit_text: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .default(
      "Merci pour votre message. Nous ne pouvons pas y répondre automatiquement pour le moment : un membre de l'équipe vous répondra dès que possible.",
    ),
  language: z.enum(languages).default("fr"),
  memory_turns: z.number().int().min(0).max(20).default(6),
  burst_window_seconds: z.number().int().min(0).max(30).default(3),
  /** When ManyChat refuses a direct message (e.g. outside the 24-hour window), put the
   * answer in this custom field and start this flow instead (empty: no fallback). */
  fallback_flow_ns: z.string().trim().max(200).default(""),
  fallback_field_name: z.string().trim().min(1).max(100).default("pdf_answer"),
  /** Conversations older than this many days are deleted (GDPR storage limitation). */
  message_retention_days: z.number().int().min(7).max(3650).default(DEFAULT_MESSAGE_RETENTION_DAYS),
});

export type TenantSettings = z.output<typeof tenantSettingsSchema>;

/** A partial update: every field optional, unknown fields refused. */
export const tenantSettingsPatchSchema = z
  .object({
    ack_text: z.string().trim().min(1).max(1000),
    fallback_text: z.string().trim().min(1).max(1000),
    refusal_text: z.string().trim().min(1).max(1000),
    limit_text: z.string().trim().min(1).max(1000),
    language: z.enum(languages),
    memory_turns: z.number().int().min(0).max(20),
    burst_window_seconds: z.number().int().min(0).max(30),
    fallback_flow_ns: z.string().trim().max(200),
    fallback_field_name: z.string().trim().min(1).max(100),
    message_retention_days: z.number().int().min(7).max(3650),
  })
  .partial()
  .strict();

/** Stored settings merged over the defaults; a value that no longer validates falls back. */
export function readSettings(stored: unknown): TenantSettings {
  const base = typeof stored === "object" && stored !== null ? (stored as Record<string, unknown>) : {};
  const parsed = tenantSettingsSchema.safeParse(base);
  if (parsed.success) return parsed.data;
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) {
    const field = tenantSettingsSchema.shape[k as keyof TenantSettings];
    if (field?.safeParse(v).success) clean[k] = v;
  }
  return tenantSettingsSchema.parse(clean);
}
