import {
  bigint,
  boolean,
  customType,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  vector,
} from "drizzle-orm/pg-core";

/**
 * Typed view of the tables for Drizzle queries. The SQL in supabase/migrations is the
 * source of truth; tests/schema-drift.test.ts fails when the two disagree.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "string" });
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const regconfig = customType<{ data: string }>({ dataType: () => "regconfig" });

export const subscriptions = pgTable("subscriptions", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  monthlyRequestLimit: integer("monthly_request_limit").notNull(),
  storageLimitMb: integer("storage_limit_mb").notNull(),
  priceCents: integer("price_cents").notNull().default(0),
  overagePriceCents: integer("overage_price_cents").notNull().default(0),
  overageAllowed: boolean("overage_allowed").notNull().default(false),
  stripePriceId: text("stripe_price_id"),
  stripeOveragePriceId: text("stripe_overage_price_id"),
  isDefault: boolean("is_default").notNull().default(false),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const customers = pgTable("customers", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  subscriptionId: uuid("subscription_id").notNull(),
  status: text("status", { enum: ["active", "suspended", "pending_deletion"] })
    .notNull()
    .default("active"),
  webhookSecretHash: text("webhook_secret_hash").notNull(),
  webhookSecretEncrypted: text("webhook_secret_encrypted").notNull(),
  manychatApiKeyEncrypted: text("manychat_api_key_encrypted"),
  manychatKeyLast4: text("manychat_key_last4"),
  manychatPageName: text("manychat_page_name"),
  webhookUrl: text("webhook_url"),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  stripeCustomerId: text("stripe_customer_id"),
  stripeSubscriptionId: text("stripe_subscription_id"),
  deletionRequestedAt: ts("deletion_requested_at"),
  billingStatus: text("billing_status", { enum: ["none", "active", "past_due", "canceled"] })
    .notNull()
    .default("none"),
  paymentFailedAt: ts("payment_failed_at"),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull(),
  hashedPassword: text("hashed_password"),
  role: text("role", { enum: ["account_user", "support_user", "global_admin"] })
    .notNull()
    .default("account_user"),
  customerId: uuid("customer_id"),
  lastLoginAt: ts("last_login_at"),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const sessions = pgTable("sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
  expiresAt: ts("expires_at").notNull(),
  revokedAt: ts("revoked_at"),
  ip: text("ip"),
  userAgent: text("user_agent"),
});

export const documents = pgTable("documents", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  filename: text("filename").notNull(),
  storagePath: text("storage_path"),
  contentType: text("content_type").notNull().default("application/pdf"),
  sizeBytes: bigint("size_bytes", { mode: "number" }).notNull().default(0),
  sha256: text("sha256"),
  status: text("status", { enum: ["pending", "processing", "processed", "failed"] })
    .notNull()
    .default("pending"),
  pageCount: integer("page_count"),
  chunkCount: integer("chunk_count").notNull().default(0),
  pagesDone: integer("pages_done").notNull().default(0),
  pagesTotal: integer("pages_total"),
  error: text("error"),
  warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
  uploadDate: ts("upload_date").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const documentChunks = pgTable("document_chunks", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  documentId: uuid("document_id").notNull(),
  chunkIndex: integer("chunk_index").notNull(),
  pageStart: integer("page_start").notNull(),
  pageEnd: integer("page_end").notNull(),
  /** Offsets in content where pages page_start+1 … page_end begin. */
  pageOffsets: integer("page_offsets").array().notNull().default([]),
  content: text("content").notNull(),
  tokenCount: integer("token_count").notNull().default(0),
  embedding: vector("embedding", { dimensions: 1536 }),
  ftsConfig: regconfig("fts_config").notNull().default("simple"),
  fts: tsvector("fts"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const messages = pgTable("messages", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  subscriberId: text("subscriber_id").notNull(),
  userPhone: text("user_phone"),
  subscriberName: text("subscriber_name"),
  direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
  content: text("content").notNull(),
  status: text("status", { enum: ["pending", "answered", "unanswered", "failed", "sent", "limited"] })
    .notNull()
    .default("pending"),
  channel: text("channel", { enum: ["whatsapp", "api", "playground"] })
    .notNull()
    .default("whatsapp"),
  idempotencyKey: text("idempotency_key"),
  replyTo: uuid("reply_to"),
  sources: jsonb("sources").$type<unknown[]>().notNull().default([]),
  tokens: jsonb("tokens").$type<Record<string, number>>(),
  latencyMs: integer("latency_ms"),
  error: text("error"),
  usageEventId: uuid("usage_event_id"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const jobs = pgTable("jobs", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id"),
  kind: text("kind").notNull(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
  status: text("status", { enum: ["queued", "running", "done", "failed"] })
    .notNull()
    .default("queued"),
  attempts: integer("attempts").notNull().default(0),
  maxAttempts: integer("max_attempts").notNull().default(5),
  runAt: ts("run_at").notNull().defaultNow(),
  lockedAt: ts("locked_at"),
  lockedBy: text("locked_by"),
  lastError: text("last_error"),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/**
 * A WhatsApp reply between "about to send" and "outcome recorded" (lib/rag/reply-sends.ts):
 * after a crash, the retried job sends these same texts instead of a new answer.
 */
export const replySends = pgTable("reply_sends", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  jobId: uuid("job_id").notNull(),
  subscriberId: text("subscriber_id").notNull(),
  reply: jsonb("reply").$type<Record<string, unknown>>().notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const billingRecords = pgTable("billing_records", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  subscriptionId: uuid("subscription_id"),
  periodStart: ts("period_start").notNull(),
  periodEnd: ts("period_end").notNull(),
  requestsUsed: integer("requests_used").notNull().default(0),
  amountCents: integer("amount_cents").notNull().default(0),
  overageCents: integer("overage_cents").notNull().default(0),
  status: text("status", { enum: ["open", "draft", "paid", "payment_failed", "void"] })
    .notNull()
    .default("open"),
  stripeInvoiceId: text("stripe_invoice_id"),
  hostedInvoiceUrl: text("hosted_invoice_url"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** Requests per tenant and billing period (the calendar month, UTC). */
export const usageCounters = pgTable(
  "usage_counters",
  {
    customerId: uuid("customer_id").notNull(),
    periodStart: ts("period_start").notNull(),
    requests: integer("requests").notNull().default(0),
    overageRequests: integer("overage_requests").notNull().default(0),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.periodStart] })],
);

/** One row per metered request; overage rows are reported to Stripe once (reported_at). */
export const usageEvents = pgTable("usage_events", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").notNull(),
  periodStart: ts("period_start").notNull(),
  channel: text("channel", { enum: ["whatsapp", "api", "playground"] }).notNull(),
  overage: boolean("overage").notNull().default(false),
  reportedAt: ts("reported_at"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const auditLogs = pgTable("audit_logs", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id"),
  actorUserId: uuid("actor_user_id"),
  actorRole: text("actor_role"),
  action: text("action").notNull(),
  targetType: text("target_type"),
  targetId: text("target_id"),
  ip: text("ip"),
  userAgent: text("user_agent"),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: ts("window_start").notNull(),
  count: integer("count").notNull(),
});

/** Every table whose rows belong to one tenant (used by the isolation suite). */
export const tenantTables = {
  customers,
  users,
  documents,
  document_chunks: documentChunks,
  messages,
  jobs,
  reply_sends: replySends,
  billing_records: billingRecords,
  usage_counters: usageCounters,
  usage_events: usageEvents,
  audit_logs: auditLogs,
} as const;
