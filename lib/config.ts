import "server-only";
import path from "node:path";
import { z } from "zod";

/**
 * All environment configuration, parsed once with zod. A bad value stops the app at
 * start-up with a message naming the variable; nothing else in the code reads
 * process.env directly.
 */
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
  APP_URL: optionalUrl,
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./.data")),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection string")
      .optional(),
  ),
  // Optional second connection for tenant work, as a login role that is a member of
  // `authenticated` only (docs/deploy.md): a tenant transaction then cannot leave its role.
  DATABASE_TENANT_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection string")
      .optional(),
  ),
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).default(10)),
  ADMIN_EMAILS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default("")
      .transform((s) =>
        s
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
  ),
  ENCRYPTION_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(
        (s) => Buffer.from(s, "base64").length === 32,
        "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
      )
      .optional(),
  ),
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: optionalUrl,
  GEMINI_MODEL: z.preprocess(emptyToUndefined, z.string().default("gemini-2.5-flash")),
  GEMINI_EMBEDDING_MODEL: z.preprocess(emptyToUndefined, z.string().default("gemini-embedding-001")),
  MANYCHAT_API_URL: z.preprocess(emptyToUndefined, z.url().default("https://api.manychat.com")),
  NEXT_PUBLIC_SUPABASE_URL: optionalUrl,
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: optionalString,
  SUPABASE_SECRET_KEY: optionalString,
  SUPABASE_STORAGE_BUCKET: z.preprocess(emptyToUndefined, z.string().default("documents")),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: optionalUrl,
  /** The Billing Meter's event name that overage requests are reported under (docs/billing.md, Stripe). */
  STRIPE_METER_EVENT_NAME: z.preprocess(emptyToUndefined, z.string().default("pdf_answers_overage")),
  /** How long a tenant whose payment failed keeps its paid plan before moving to the default plan (default 7 days). */
  PAYMENT_GRACE_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .default(7 * 86_400),
  ),
  SENTRY_DSN: optionalUrl,
  SENTRY_ENVIRONMENT: optionalString,
  METRICS_TOKEN: optionalString,
  CRON_SECRET: optionalString,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  // Background work tuning (defaults suit production; tests shorten the waits).
  // A job's lease: heartbeats renew it every third of it, so a worker is presumed dead ~10 s after its
  // last one (a crash is recovered within seconds) while a stall of several seconds still keeps it.
  JOB_LEASE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3600).default(10)),
  JOB_RETRY_BASE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(600_000).default(1000)),
  /** How long a deleted workspace can be restored by an admin before it is purged (default 30 days). */
  DELETION_GRACE_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .default(30 * 86_400),
  ),
  /**
   * How many reverse proxies in front of the app append to X-Forwarded-For. 0: the client
   * is whoever connected (X-Forwarded-For is ignored); 1: one proxy (nginx, a load
   * balancer), whose entry names the client; and so on (lib/http/client-ip.ts).
   */
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  /** Authenticated API requests per user and minute (lib/http/route.ts). */
  /** Workspaces created per client IP per hour (sign-up abuse). */
  SIGNUP_RATE_LIMIT_PER_HOUR: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(20)),
  API_RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(600)),
  /** ManyChat webhook deliveries per tenant and minute, and per WhatsApp subscriber and minute. */
  WEBHOOK_RATE_LIMIT_PER_TENANT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(600)),
  WEBHOOK_RATE_LIMIT_PER_SUBSCRIBER: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(30)),
  /**
   * Lets a tenant's outbound webhook_url point at a private or loopback address. Tests
   * only (their receiver listens on 127.0.0.1): never set it in production.
   */
  OUTBOUND_WEBHOOK_ALLOW_PRIVATE: z.preprocess(
    emptyToUndefined,
    z
      .enum(["0", "1", "false", "true"])
      .default("0")
      .transform((v) => v === "1" || v === "true"),
  ),
  /** Self-hosted (server.ts): "off" hands the webhook to the Next.js route as well. */
  WEBHOOK_DIRECT: z.preprocess(emptyToUndefined, z.enum(["on", "off"]).default("on")),
  SWEEPER_INTERVAL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(50).max(600_000).default(2000)),
  /**
   * WhatsApp replies one process has at ManyChat at once per tenant, each held until its
   * outcome is recorded (lib/rag/reply-sends.ts). A crash can repeat only these, so this is
   * the most duplicates per tenant a crash can cause; raise it for throughput.
   */
  MANYCHAT_SENDS_PER_TENANT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(25).default(1)),
  /**
   * Limits of the PDF reader process (lib/documents/pdf-text.ts), set by measurement
   * (docs/architecture.md, Security): its resident memory, the time to open a file or read
   * one page, the time for a whole document, and how many readers run at once.
   */
  PDF_MEMORY_LIMIT_MB: z.preprocess(emptyToUndefined, z.coerce.number().int().min(64).max(8192).default(512)),
  PDF_PAGE_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(600_000).default(15_000)),
  PDF_DOCUMENT_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  ),
  PDF_MAX_PARALLEL: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(64).default(2)),
  GEMINI_MAX_ATTEMPTS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10).default(5)),
  GEMINI_RETRY_BASE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(60_000).default(1000)),
  SESSION_TTL_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24 * 7),
  ),
  VERCEL: optionalString,
});

export type AppConfig = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.ENCRYPTION_KEY) {
    // Secrets stored in a shared database must be readable by every instance.
    throw new ConfigError(
      "ENCRYPTION_KEY is required when DATABASE_URL is set, so every instance can read the secrets stored in the shared database. Generate one with: openssl rand -base64 32",
    );
  }
  if (e.DATABASE_TENANT_URL && !e.DATABASE_URL) {
    throw new ConfigError("DATABASE_TENANT_URL is only used together with DATABASE_URL (PostgreSQL).");
  }
  const supabaseAuth = Boolean(e.NEXT_PUBLIC_SUPABASE_URL && e.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY);
  if (e.VERCEL) {
    // Serverless instances have a read-only, short-lived filesystem: the embedded mode cannot work.
    const missing = [
      ["DATABASE_URL", e.DATABASE_URL],
      ["NEXT_PUBLIC_SUPABASE_URL", e.NEXT_PUBLIC_SUPABASE_URL],
      ["NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY", e.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY],
      ["SUPABASE_SECRET_KEY", e.SUPABASE_SECRET_KEY],
      ["ENCRYPTION_KEY", e.ENCRYPTION_KEY],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length > 0) {
      throw new ConfigError(
        `Running on Vercel requires ${missing.join(", ")}: the embedded database, auth and storage need a writable, long-lived disk, which Vercel does not provide.`,
      );
    }
  }
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    database: e.DATABASE_URL ? ("postgres" as const) : ("pglite" as const),
    authMode: supabaseAuth ? ("supabase" as const) : ("embedded" as const),
  };
}

let cached: AppConfig | undefined;

/** The parsed configuration of this process (parsed on first use). */
export function config(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
