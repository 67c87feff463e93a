import { z } from "zod";
import { auditQuerySchema } from "@/lib/admin/audit-log";
import { planInputSchema } from "@/lib/admin/plans";
import { tenantPlanChangeSchema } from "@/lib/admin/tenant-plan";
import { tenantStatusChangeSchema } from "@/lib/admin/tenant-status";
import { userRoleSchema } from "@/lib/admin/user-role";
import { myAuditQuerySchema } from "@/lib/audit/list-audit-logs";
import { loginSchema, signupSchema } from "@/lib/auth/accounts";
import { checkoutSchema } from "@/lib/billing/stripe/checkout";
import { uploadUrlSchema } from "@/lib/documents/upload-document";
import { pageQuerySchema } from "@/lib/http/pagination";
import { inboundPayloadSchema } from "@/lib/manychat/inbound-payload";
import { conversationsQuerySchema } from "@/lib/rag/list-conversations";
import { messagesQuerySchema } from "@/lib/rag/list-messages";
import { querySchema } from "@/lib/rag/query-documents";
import { simulateSchema } from "@/lib/rag/simulate-message";
import { customerPatchSchema } from "@/lib/tenants/customer-profile";
import * as r from "./response-schemas";

/**
 * Every operation of /api/v1, with the zod schemas that validate its input (imported
 * from where the route uses them) and the shape of its answers. tests/api/openapi.test.ts
 * fails when a route file under app/api/v1 has a method that is not listed here, or the
 * other way round.
 */
export type Security =
  | "public"
  | "user"
  | "tenant"
  | "staff"
  | "admin"
  | "webhook"
  | "stripe"
  | "cron"
  | "metrics"
  | "upload";

export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path under /api/v1, with {id} parameters. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  security: Security;
  query?: z.ZodObject;
  /** A JSON body (validated by this schema), or a non-JSON one. */
  body?:
    | { schema: z.ZodType; name: string; optional?: boolean }
    | { contentType: "multipart/form-data" | "application/pdf" };
  responses: Record<number, Reply>;
}

type Reply =
  | { description: string; schema?: z.ZodType; name?: string }
  | { description: string; contentType: "text/plain" | "application/zip" | "application/json" };

// Named request schemas become components; responses are named where they are exported.
const req = <S extends z.ZodType>(name: string, schema: S) => ({ name, schema });
const ok = (description: string, schema: z.ZodType, name: string): Reply => ({ description, schema, name });
const none = (description: string): Reply => ({ description });

// What Stripe posts (its Event object); the route reads it only after the signature holds.
const stripeEventShape = z
  .object({
    id: z.string().describe("evt_…"),
    type: z.string().describe("e.g. invoice.paid"),
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .describe("A Stripe Event, signed in the Stripe-Signature header.");

// The staff console's tenant list takes a search beside the page (app/api/v1/admin/customers).
const tenantListQuery = pageQuerySchema.extend({ query: z.string().max(200).optional() });

export const operations: Operation[] = [
  // ---------------------------------------------------------------- auth
  {
    method: "post",
    path: "/auth/signup",
    tag: "Auth",
    summary: "Create an account and its workspace",
    description:
      "Password of at least 10 characters, not a common or trivial one (422 otherwise). Emails listed in ADMIN_EMAILS become global_admin. Browsers may call it from the app's own origin only, with a JSON body (403/415 otherwise).",
    security: "public",
    body: req("SignupRequest", signupSchema),
    responses: {
      201: ok("Signed up and signed in (also sets the session cookie).", r.authResult, "AuthResult"),
      403: none("Called from another site's page (Origin or Sec-Fetch-Site)."),
      409: none("An account with this email exists."),
      415: none("The body is not JSON."),
      429: none("Too many sign-ups from this address (Retry-After)."),
    },
  },
  {
    method: "post",
    path: "/auth/login",
    tag: "Auth",
    summary: "Sign in",
    description: "Browsers may call it from the app's own origin only, with a JSON body (403/415 otherwise).",
    security: "public",
    body: req("LoginRequest", loginSchema),
    responses: {
      200: ok("Signed in (also sets the session cookie).", r.authResult, "AuthResult"),
      401: none("invalid_credentials: the same answer for a wrong email and a wrong password."),
      403: none("Called from another site's page (Origin or Sec-Fetch-Site)."),
      415: none("The body is not JSON."),
      429: none("Too many attempts (Retry-After)."),
    },
  },
  {
    method: "post",
    path: "/auth/logout",
    tag: "Auth",
    summary: "Sign out",
    description:
      "Clears the session cookie and revokes the session where the auth mode supports it. Browsers may call it from the app's own origin only; a body, if any, must be JSON.",
    security: "public",
    responses: {
      204: none("Signed out."),
      403: none("Called from another site's page (Origin or Sec-Fetch-Site)."),
      415: none("A body that is not JSON."),
      503: none("The database cannot be reached: the session could not be revoked (Retry-After)."),
    },
  },
  // ---------------------------------------------------------------- tenant
  {
    method: "get",
    path: "/customers/me",
    tag: "Workspace",
    summary: "The caller's workspace",
    security: "tenant",
    responses: { 200: ok("The workspace, its plan, ManyChat status and inbound webhook.", r.customer, "Customer") },
  },
  {
    method: "patch",
    path: "/customers/me",
    tag: "Workspace",
    summary: "Update the workspace",
    description: "The ManyChat key is checked with ManyChat when reachable and stored encrypted.",
    security: "tenant",
    body: req("CustomerPatch", customerPatchSchema),
    responses: {
      200: ok("The updated workspace.", r.customer, "Customer"),
      422: none("validation_failed, or ManyChat rejected the key."),
    },
  },
  {
    method: "delete",
    path: "/customers/me",
    tag: "Workspace",
    summary: "Delete the workspace (GDPR)",
    description: "Unreachable at once, restorable by an admin for 30 days, then purged.",
    security: "tenant",
    responses: { 202: ok("Deletion scheduled.", r.deletionScheduled, "DeletionScheduled") },
  },
  {
    method: "get",
    path: "/customers/me/export",
    tag: "Workspace",
    summary: "Export the workspace's data (GDPR)",
    security: "tenant",
    responses: { 200: { description: "A ZIP: data.json and the original PDFs.", contentType: "application/zip" } },
  },
  {
    method: "get",
    path: "/customers/me/audit-logs",
    tag: "Workspace",
    summary: "The workspace's audit trail",
    description:
      "Sign-ins, settings and key changes, uploads and deletions, exports, and every read of the workspace's data by platform staff (their role is shown, not their email).",
    security: "tenant",
    query: myAuditQuerySchema,
    responses: { 200: ok("Newest first.", r.myAuditList, "WorkspaceAuditList") },
  },
  {
    method: "post",
    path: "/customers/me/webhook-secret",
    tag: "Workspace",
    summary: "Rotate the inbound webhook secret",
    security: "tenant",
    responses: { 200: ok("The workspace with its new secret.", r.customer, "Customer") },
  },
  // ---------------------------------------------------------------- documents
  {
    method: "post",
    path: "/documents/upload",
    tag: "Documents",
    summary: "Upload a PDF",
    description: "multipart/form-data, field `file`. At most 20 MB and 200 pages. Ingestion runs after the response.",
    security: "tenant",
    body: { contentType: "multipart/form-data" },
    responses: {
      202: ok("Stored; ingestion has started.", r.documentAccepted, "DocumentAccepted"),
      409: none("The same file is already uploaded."),
      413: none("Over 20 MB, or over the plan's storage."),
      415: none("Not a PDF."),
    },
  },
  {
    method: "post",
    path: "/documents/upload-url",
    tag: "Documents",
    summary: "Reserve a direct upload to storage",
    description:
      "Send the bytes to `upload_url` with `method` and `headers`, then call /documents/{id}/complete. The URL is single-use, valid 2 h, and bound to `size_bytes` and application/pdf; it stops working once a file was stored through it, after complete, and when the document is deleted.",
    security: "tenant",
    body: req("UploadUrlRequest", uploadUrlSchema),
    responses: {
      200: ok("Where to send the file.", r.uploadUrl, "UploadUrl"),
      413: none("Over 20 MB, or over the plan's storage."),
    },
  },
  {
    method: "post",
    path: "/documents/{id}/complete",
    tag: "Documents",
    summary: "Finish a direct upload",
    description:
      "Runs the upload checks on the stored bytes (their size, measured, must be the declared `size_bytes`) and starts ingestion. The stored size is what the plan's storage counts.",
    security: "tenant",
    responses: {
      202: ok("Checked; ingestion has started.", r.documentAccepted, "DocumentAccepted"),
      409: none("Already completed, or no file was uploaded yet."),
      422: none("The stored file is not the declared size (the reservation is removed)."),
    },
  },
  {
    method: "get",
    path: "/documents",
    tag: "Documents",
    summary: "List documents",
    security: "tenant",
    query: pageQuerySchema,
    responses: { 200: ok("Newest first.", r.documentList, "DocumentList") },
  },
  {
    method: "get",
    path: "/documents/{id}",
    tag: "Documents",
    summary: "A document and its ingestion progress",
    security: "tenant",
    responses: { 200: ok("The document.", r.document, "Document") },
  },
  {
    method: "delete",
    path: "/documents/{id}",
    tag: "Documents",
    summary: "Delete a document",
    description: "Its chunks and stored file are removed.",
    security: "tenant",
    responses: { 204: none("Deleted.") },
  },
  {
    method: "put",
    path: "/storage/upload",
    tag: "Documents",
    summary: "Signed upload target (embedded storage)",
    description:
      "Where /documents/upload-url points when files are stored on the server's disk; Supabase Storage takes this role in production. `token` is part of the URL handed out.",
    security: "upload",
    body: { contentType: "application/pdf" },
    responses: {
      200: none("Stored."),
      401: none("unauthenticated: the URL is invalid or has expired."),
      404: none("not_found: the document was deleted."),
      409: none("conflict: the URL was already used (a file was stored through it, or the upload was completed)."),
      413: none("Larger than the declared size."),
      415: none("Another Content-Type than application/pdf."),
      422: none("Smaller than the declared size."),
    },
  },
  // ---------------------------------------------------------------- answers
  {
    method: "post",
    path: "/query",
    tag: "Answers",
    summary: "Ask a question of the workspace's documents",
    description:
      "Recorded like a WhatsApp question; `answered:false` marks a question the documents do not cover. Each answer is one request of the plan.",
    security: "tenant",
    body: req("QueryRequest", querySchema),
    responses: {
      200: ok("The answer with its sources.", r.answer, "Answer"),
      402: none(
        "limit_exceeded: the plan has no overage and its requests are used up; `details` has requests_used and request_limit. The question is recorded as limited.",
      ),
    },
  },
  {
    method: "get",
    path: "/messages",
    tag: "Answers",
    summary: "The message log",
    security: "tenant",
    query: messagesQuerySchema,
    responses: { 200: ok("Newest first.", r.messageList, "MessageList") },
  },
  {
    method: "get",
    path: "/conversations",
    tag: "Answers",
    summary: "Conversations, one per customer",
    security: "tenant",
    query: conversationsQuerySchema,
    responses: { 200: ok("Most recent first.", r.conversationList, "ConversationList") },
  },
  {
    method: "post",
    path: "/simulate",
    tag: "Answers",
    summary: "Simulate a WhatsApp message",
    description:
      "Runs a message through the webhook's pipeline for the workspace's test subscriber; the reply is returned, never sent through ManyChat. Honours Idempotency-Key.",
    security: "tenant",
    body: req("SimulateRequest", simulateSchema),
    responses: { 200: ok("The acknowledgement and, when ready, the reply.", r.simulatedMessage, "SimulatedMessage") },
  },
  // ---------------------------------------------------------------- billing
  {
    method: "get",
    path: "/billing/usage",
    tag: "Billing",
    summary: "This billing period's usage against the plan",
    security: "tenant",
    responses: { 200: ok("Requests and storage used, limits, estimated overage.", r.usage, "Usage") },
  },
  {
    method: "get",
    path: "/billing/invoices",
    tag: "Billing",
    summary: "Invoices: one per closed billing period",
    description:
      "Newest period first. Written when a period ends (the plan's price and the overage), then completed by Stripe's invoice when payments are configured.",
    security: "tenant",
    query: pageQuerySchema,
    responses: { 200: ok("The tenant's billing records.", r.invoiceList, "InvoiceList") },
  },
  {
    method: "post",
    path: "/billing/checkout",
    tag: "Billing",
    summary: "Change plan: a Stripe Checkout or Customer Portal URL",
    description:
      "Without a Stripe subscription: a Checkout Session for the plan's price (and its metered overage price). With one: the Customer Portal confirming the change, or the cancellation for a free plan. The plan changes when Stripe confirms (webhook).",
    security: "tenant",
    body: req("CheckoutRequest", checkoutSchema),
    responses: {
      200: ok("Send the browser to url.", r.redirectUrl, "RedirectUrl"),
      404: none("not_found: no such plan."),
      409: none(
        "conflict: payments are not configured, the plan has no Stripe price, or the workspace is already on it.",
      ),
      503: none("service_unavailable: Stripe could not be reached."),
    },
  },
  {
    method: "post",
    path: "/billing/portal",
    tag: "Billing",
    summary: "Stripe Customer Portal (payment method, invoices, cancellation)",
    security: "tenant",
    responses: {
      200: ok("Send the browser to url.", r.redirectUrl, "RedirectUrl"),
      409: none("conflict: payments are not configured, or the workspace has no Stripe customer yet."),
      503: none("service_unavailable: Stripe could not be reached."),
    },
  },
  {
    method: "post",
    path: "/billing/stripe-webhook",
    tag: "Billing",
    summary: "Stripe webhook events",
    description:
      "Verified with the Stripe-Signature header on the raw body (STRIPE_WEBHOOK_SECRET). Acts on checkout.session.completed, customer.subscription.created/updated/deleted, invoice.paid and invoice.payment_failed; each event id once.",
    security: "stripe",
    body: req("StripeEvent", stripeEventShape),
    responses: {
      200: ok("Received (also for a replayed or an ignored event).", r.stripeWebhookResult, "StripeWebhookResult"),
      400: none("invalid_signature: missing, wrong or expired signature; nothing changed."),
      413: none("Body over 512 KB."),
      503: none("service_unavailable: Stripe could not be reached or webhooks are not configured; Stripe retries."),
    },
  },
  // ---------------------------------------------------------------- webhook
  {
    method: "post",
    path: "/webhook/manychat",
    tag: "ManyChat",
    summary: "ManyChat External Request (inbound WhatsApp message)",
    description:
      "`{subscriber_id, text, …}` or ManyChat's Full Contact Data. Optional Idempotency-Key header. The answer follows through ManyChat's API; a duplicate delivery gets the same message_id and no second answer. Secret also accepted as `Authorization: Bearer <secret>`.",
    security: "webhook",
    body: req("InboundMessage", inboundPayloadSchema),
    responses: {
      200: ok("ManyChat v2 dynamic content with the acknowledgement text.", r.webhookAck, "WebhookAck"),
      403: none("The workspace is suspended or being deleted."),
      413: none("Body over 64 KB."),
    },
  },
  // ---------------------------------------------------------------- admin
  {
    method: "get",
    path: "/admin/customers",
    tag: "Admin",
    summary: "Tenants (search by name or owner email)",
    security: "staff",
    query: tenantListQuery,
    responses: { 200: ok("Tenants with plan, usage and document count.", r.tenantList, "TenantList") },
  },
  {
    method: "get",
    path: "/admin/customers/{id}",
    tag: "Admin",
    summary: "Support view of one tenant",
    security: "staff",
    responses: { 200: ok("Audited read.", r.tenantSupportView, "TenantSupportView") },
  },
  {
    method: "patch",
    path: "/admin/customers/{id}",
    tag: "Admin",
    summary: "Put a tenant on another plan",
    description:
      "Its limits apply at once; requests already counted this period stay counted. A tenant billed through Stripe gets its plan from Stripe's next subscription event.",
    security: "admin",
    body: req("TenantPlanChange", tenantPlanChangeSchema),
    responses: { 200: ok("The tenant's plan.", r.tenantPlanResult, "TenantPlanResult") },
  },
  {
    method: "post",
    path: "/admin/customers/{id}/suspend",
    tag: "Admin",
    summary: "Suspend a tenant",
    security: "admin",
    body: { ...req("TenantStatusChange", tenantStatusChangeSchema), optional: true },
    responses: { 200: ok("The tenant's status.", r.tenantStatusResult, "TenantStatusResult") },
  },
  {
    method: "post",
    path: "/admin/customers/{id}/reactivate",
    tag: "Admin",
    summary: "Reactivate a suspended tenant",
    security: "admin",
    body: { ...req("TenantStatusChange", tenantStatusChangeSchema), optional: true },
    responses: { 200: ok("The tenant's status.", r.tenantStatusResult, "TenantStatusResult") },
  },
  {
    method: "post",
    path: "/admin/customers/{id}/restore",
    tag: "Admin",
    summary: "Restore a tenant scheduled for deletion",
    description: "Within its 30-day grace period. global_admin only.",
    security: "admin",
    responses: { 200: ok("The tenant, active again.", r.tenantStatusResult, "TenantStatusResult") },
  },
  {
    method: "get",
    path: "/admin/subscriptions",
    tag: "Admin",
    summary: "Plans",
    security: "staff",
    responses: { 200: ok("Every plan with its tenant count.", r.planList, "PlanList") },
  },
  {
    method: "post",
    path: "/admin/subscriptions",
    tag: "Admin",
    summary: "Create or update a plan",
    security: "admin",
    body: req("PlanInput", planInputSchema),
    responses: {
      200: ok("Updated (an id was given).", r.planView, "Plan"),
      201: ok("Created.", r.planView, "Plan"),
    },
  },
  {
    method: "patch",
    path: "/admin/users/{id}",
    tag: "Admin",
    summary: "Change a user's role",
    security: "admin",
    body: req("UserRoleChange", userRoleSchema),
    responses: { 200: ok("The user's role.", r.userRoleResult, "UserRoleResult") },
  },
  {
    method: "get",
    path: "/admin/audit-logs",
    tag: "Admin",
    summary: "The audit trail",
    security: "staff",
    query: auditQuerySchema,
    responses: { 200: ok("Newest first. Reading it is itself audited.", r.auditList, "AuditList") },
  },
  {
    method: "get",
    path: "/admin/health",
    tag: "Admin",
    summary: "Job queue and recent failures",
    security: "staff",
    responses: { 200: ok("Audited read.", r.systemHealth, "SystemHealth") },
  },
  // ---------------------------------------------------------------- operations
  {
    method: "get",
    path: "/health",
    tag: "Operations",
    summary: "Health of this instance",
    description: "For load balancers and uptime checks.",
    security: "public",
    responses: {
      200: ok("The database and the file storage answer.", r.health, "Health"),
      503: ok("Something is down: `down` names it.", r.health, "Health"),
    },
  },
  {
    method: "get",
    path: "/metrics",
    tag: "Operations",
    summary: "Prometheus metrics of this instance",
    description: "Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.",
    security: "metrics",
    responses: { 200: { description: "Prometheus text format 0.0.4.", contentType: "text/plain" } },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Operations",
    summary: "This document",
    security: "public",
    responses: { 200: { description: "OpenAPI 3.1.", contentType: "application/json" } },
  },
  {
    method: "get",
    path: "/cron/sweep",
    tag: "Operations",
    summary: "Run due jobs (Vercel Cron)",
    description:
      "Called every minute by Vercel Cron with `Authorization: Bearer <CRON_SECRET>`; 404 when CRON_SECRET is unset.",
    security: "cron",
    responses: { 200: ok("Jobs run by this call.", r.sweepResult, "SweepResult") },
  },
];
