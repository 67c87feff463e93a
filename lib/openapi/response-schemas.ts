import { z } from "zod";
import { roles } from "@/lib/auth/identity";
import { tenantSettingsSchema } from "@/lib/tenants/settings";

/**
 * The shapes the API answers with, for the OpenAPI document (lib/openapi/document.ts).
 * Requests are described by the very schemas that validate them; responses are built
 * by lib/ functions typed in TypeScript, so they are written down here once, in zod,
 * and converted the same way. Clients must accept fields not listed (API.md: fields may
 * be added).
 */

const id = z.uuid();
const timestamp = z.iso.datetime();
const nullable = <T extends z.ZodType>(t: T) => t.nullable();
const list = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page."),
  });

export const errorEnvelope = z.object({
  error: z.object({
    code: z
      .string()
      .describe(
        "invalid_json, invalid_signature, validation_failed, unauthenticated, invalid_credentials, forbidden, not_found, conflict, payload_too_large, unsupported_media_type, limit_exceeded, rate_limited, service_unavailable, internal",
      ),
    message: z.string(),
    details: z
      .unknown()
      .optional()
      .describe("validation_failed: a list of {path, message}; conflict: what it conflicts with."),
    request_id: z.string().describe("Also in the x-request-id header."),
  }),
});

const role = z.enum(roles);
const messageStatus = z.enum(["pending", "answered", "unanswered", "failed", "sent", "limited"]);
const channel = z.enum(["whatsapp", "api", "playground"]);

export const authResult = z.object({
  access_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int().describe("Seconds."),
  user: z.object({ id, email: z.string(), role }),
  customer: z.object({ id, name: z.string() }).optional().describe("Absent for a user without a workspace."),
});

export const customer = z.object({
  id,
  name: z.string(),
  status: z.enum(["active", "suspended", "pending_deletion"]),
  plan: z.object({
    id,
    name: z.string(),
    monthly_request_limit: z.number().int(),
    storage_limit_mb: z.number().int(),
    price_cents: z.number().int(),
    overage_price_cents: z.number().int(),
    overage_allowed: z.boolean(),
  }),
  manychat: z.object({ configured: z.boolean(), key_last4: nullable(z.string()), page_name: nullable(z.string()) }),
  inbound_webhook: z
    .object({ url: z.url(), secret_header: z.string(), secret: z.string() })
    .describe("What the tenant pastes into ManyChat's External Request."),
  webhook_url: nullable(z.url()),
  settings: tenantSettingsSchema,
  created_at: timestamp,
});

export const deletionScheduled = z.object({
  status: z.literal("pending_deletion"),
  deletion_requested_at: timestamp,
  purge_after: timestamp,
});

export const document = z.object({
  id,
  filename: z.string(),
  status: z.enum(["pending", "processing", "processed", "failed"]),
  size_bytes: z.number().int(),
  page_count: nullable(z.number().int()),
  chunk_count: z.number().int(),
  progress: z.object({ pages_done: z.number().int(), pages_total: z.number().int() }),
  error: nullable(z.string()).describe("Why it failed, in words a person can act on."),
  warnings: z.unknown().describe("Pages without text that could not be read, and similar notes."),
  upload_date: timestamp,
});
export const documentAccepted = z.object({ document });
export const documentList = list(document);

export const uploadUrl = z.object({
  document_id: id,
  upload_url: z.url(),
  method: z.enum(["PUT", "POST"]),
  headers: z.record(z.string(), z.string()),
  expires_at: timestamp,
});

const source = z.object({
  document_id: id,
  filename: z.string(),
  page: z.number().int(),
  chunk_id: id,
  score: z.number(),
  excerpt: z.string(),
});

export const answer = z.object({
  answer: z.string(),
  answered: z
    .boolean()
    .describe("false when the documents do not cover the question (the refusal text is the answer)."),
  sources: z.array(source),
  mode: z.enum(["generative", "extractive"]),
  usage: z.object({
    prompt_tokens: z.number().int(),
    output_tokens: z.number().int(),
    total_tokens: z.number().int(),
    embedding_calls: z.number().int(),
  }),
  latency_ms: z.number().int(),
  standalone_question: z.string().describe("The question searched, rewritten from the conversation when needed."),
});

export const message = z.object({
  id,
  subscriber_id: z.string(),
  user_phone: nullable(z.string()),
  subscriber_name: nullable(z.string()),
  direction: z.enum(["inbound", "outbound"]),
  content: z.string(),
  status: messageStatus,
  channel,
  sources: z.unknown(),
  latency_ms: nullable(z.number().int()),
  error: nullable(z.string()),
  reply_to: nullable(id),
  created_at: timestamp,
});
export const messageList = list(message);

export const conversationList = list(
  z.object({
    subscriber_id: z.string(),
    name: nullable(z.string()),
    phone: nullable(z.string()),
    channel,
    message_count: z.number().int(),
    last_message: z.object({
      id,
      direction: z.enum(["inbound", "outbound"]),
      preview: z.string(),
      status: messageStatus,
      created_at: timestamp,
    }),
    last_inbound_status: nullable(messageStatus),
    match: nullable(z.string()),
  }),
);

export const webhookAck = z.object({
  version: z.literal("v2"),
  content: z.object({
    type: z.literal("whatsapp"),
    messages: z.array(z.object({ type: z.literal("text"), text: z.string() })),
    actions: z.array(z.never()),
    quick_replies: z.array(z.never()),
  }),
  status: z.literal("accepted"),
  message_id: id.describe("The same for a duplicate delivery."),
});

export const simulatedMessage = z.object({
  message_id: id,
  subscriber_id: z.string(),
  acknowledgement: webhookAck,
  status: z.enum(["pending", "answered", "unanswered", "failed", "limited"]),
  reply: nullable(
    z.object({
      id,
      messages: z.array(z.string()),
      sources: z.array(source),
      latency_ms: nullable(z.number().int()),
      created_at: timestamp,
    }),
  ),
  error: nullable(z.string()),
});

const plan = z.object({
  id,
  name: z.string(),
  monthly_request_limit: z.number().int(),
  storage_limit_mb: z.number().int(),
  price_cents: z.number().int(),
  overage_price_cents: z.number().int(),
  overage_allowed: z.boolean(),
});

export const invoice = z.object({
  id,
  period_start: timestamp,
  period_end: timestamp.describe("Exclusive: the start of the next period."),
  plan_name: nullable(z.string()),
  requests_used: z.number().int(),
  amount_cents: z.number().int().describe("The plan's price at the close of the period."),
  overage_cents: z.number().int().describe("Requests past the limit × the plan's overage price."),
  total_cents: z.number().int(),
  status: z
    .enum(["open", "draft", "paid", "payment_failed", "void"])
    .describe("open: owed; paid: settled or nothing owed; payment_failed: Stripe could not charge."),
  hosted_invoice_url: nullable(z.string()).describe("Stripe's page for the invoice, when there is one."),
  created_at: timestamp,
});
export const invoiceList = list(invoice);

export const tenantList = list(
  z.object({
    id,
    name: z.string(),
    status: z.string(),
    owner_email: nullable(z.string()),
    plan: z.object({ id, name: z.string() }),
    usage: z.object({ requests_this_month: z.number().int(), storage_used_mb: z.number() }),
    document_count: z.number().int(),
    created_at: timestamp,
  }),
);

export const tenantSupportView = z
  .object({
    id,
    name: z.string(),
    status: z.enum(["active", "suspended", "pending_deletion"]),
    created_at: timestamp,
    deletion_requested_at: nullable(timestamp),
    plan,
    usage: z.object({
      requests_this_month: z.number().int(),
      storage_used_mb: z.number(),
      document_count: z.number().int(),
      message_count: z.number().int(),
      subscriber_count: z.number().int(),
    }),
    billing: z
      .object({
        period_start: timestamp,
        period_end: timestamp,
        requests_used: z.number().int(),
        request_limit: z.number().int(),
        overage_requests: z.number().int(),
        billing_status: z.enum(["none", "active", "past_due", "canceled"]),
        payment_failed_at: nullable(timestamp),
      })
      .describe("The metered requests of the current billing period and the payment state."),
    invoices: z.array(invoice).describe("The newest billing records, newest period first."),
    manychat: z.object({ configured: z.boolean(), key_last4: nullable(z.string()), page_name: nullable(z.string()) }),
    webhook_url: nullable(z.string()),
    users: z.array(
      z.object({ id, email: z.string(), role, last_login_at: nullable(timestamp), created_at: timestamp }),
    ),
    jobs: z.object({ queued: z.number().int(), running: z.number().int(), failed: z.number().int() }),
    documents: z.array(z.unknown()),
    recent_messages: z.array(z.unknown()),
  })
  .describe("What support sees of one tenant: never a secret (no key, no webhook secret). Reading it is audited.");

export const tenantPlanResult = z.object({
  id,
  name: z.string(),
  plan: z.object({ id, name: z.string() }),
  changed: z.boolean().describe("False when the tenant was already on that plan."),
});

export const tenantStatusResult = z.object({
  id,
  name: z.string(),
  status: z.enum(["active", "suspended", "pending_deletion"]),
  changed: z.boolean().optional().describe("false when the tenant already had that status."),
});

export const planView = plan.extend({
  stripe_price_id: nullable(z.string()).describe("The licensed monthly Stripe Price tenants check out with."),
  stripe_overage_price_id: nullable(z.string()).describe("The metered Stripe Price billed from the overage meter."),
  is_default: z.boolean(),
  tenant_count: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
export const planList = list(planView);

export const userRoleResult = z.object({
  id,
  email: z.string(),
  role,
  customer_id: nullable(id),
  changed: z.boolean(),
});

const auditEntry = z.object({
  id,
  created_at: timestamp,
  action: z.string(),
  actor: z.object({ user_id: nullable(id), email: nullable(z.string()), role: nullable(z.string()) }),
  target_type: nullable(z.string()),
  target_id: nullable(z.string()),
  ip: nullable(z.string()),
  user_agent: nullable(z.string()),
  request_id: nullable(z.string()),
  metadata: z.record(z.string(), z.unknown()),
});
export const auditList = list(auditEntry.extend({ customer: nullable(z.object({ id, name: nullable(z.string()) })) }));
export const myAuditList = list(auditEntry);

export const systemHealth = z
  .object({
    generated_at: timestamp,
    queue: z.object({
      by_kind: z.array(
        z.object({
          kind: z.string(),
          queued: z.number().int(),
          due: z.number().int(),
          retrying: z.number().int(),
          running: z.number().int(),
        }),
      ),
      totals: z.object({
        queued: z.number().int(),
        due: z.number().int(),
        retrying: z.number().int(),
        running: z.number().int(),
      }),
      oldest_due_age_seconds: nullable(z.number()),
      expired_leases: z.number().int(),
      failed_last_24h: z.number().int(),
    }),
    failed_jobs: z.array(z.unknown()),
    failed_messages: z.array(z.unknown()),
  })
  .describe("The job queue and the latest failures across tenants. Reading it is audited.");

export const health = z.object({
  status: z.enum(["ok", "down"]),
  down: z.array(z.enum(["database", "storage"])).describe("What is down; empty when status is ok."),
  database: z.enum(["ok", "down"]),
  database_kind: z.string(),
  database_ms: z.number().int(),
  storage: z.enum(["ok", "down"]),
  storage_kind: z.enum(["local", "supabase"]),
  storage_ms: z.number().int(),
  oldest_pending_job_age_seconds: nullable(z.number()).describe(
    "Seconds the oldest due job has waited past its run time; null when none is due. Reported, never a reason for 503.",
  ),
  database_role: nullable(
    z.object({
      superuser: z.boolean(),
      tenant_connection: z.enum(["dedicated", "shared"]),
    }),
  ).describe(
    "Who the app is in the database: superuser true ignores row-level security (warned at start); tenant_connection dedicated means tenant work runs on its own contained login role (DATABASE_TENANT_URL). Null when the database is down.",
  ),
  auth_mode: z.string(),
  ai: z.enum(["gemini", "extractive"]),
  errors: z.record(z.string(), z.string()).optional(),
});

export const usage = z.object({
  period_start: timestamp,
  period_end: timestamp,
  requests_used: z.number().int(),
  request_limit: z.number().int(),
  storage_used_mb: z.number(),
  storage_used_bytes: z.number().int(),
  storage_limit_mb: z.number().int(),
  overage_requests: z.number().int(),
  estimated_overage_cents: z.number().int(),
  limit_reached: z
    .boolean()
    .describe(
      "A plan without overage has used its requests: WhatsApp customers get the limit text until the period ends.",
    ),
  billing_status: z.enum(["none", "active", "past_due", "canceled"]),
  payment_failed_at: nullable(timestamp),
  plan: z.object({
    id,
    name: z.string(),
    price_cents: z.number().int(),
    overage_allowed: z.boolean(),
    overage_price_cents: z.number().int(),
  }),
});

export const sweepResult = z.object({ processed: z.number().int() });

export const redirectUrl = z.object({
  url: z.url().describe("Where to send the browser: a Stripe Checkout or Customer Portal page."),
});

export const stripeWebhookResult = z.object({
  received: z.literal(true),
  event_id: z.string(),
  outcome: z
    .enum(["processed", "duplicate", "ignored"])
    .describe("duplicate: this event id was processed before; ignored: an event type the app does not act on."),
});
