/**
 * The audit trail's action names written by the admin console and the auth flows, so
 * the viewer can suggest them. Staff reads across tenants are recorded as well as changes.
 */
export const AUDIT_ACTIONS = {
  tenantsListed: "admin.tenants_listed",
  tenantViewed: "support.view_tenant",
  plansListed: "admin.plans_listed",
  planCreated: "admin.plan_created",
  planUpdated: "admin.plan_updated",
  tenantSuspended: "admin.tenant_suspended",
  tenantReactivated: "admin.tenant_reactivated",
  tenantPlanChanged: "admin.tenant_plan_changed",
  userRoleChanged: "admin.user_role_changed",
  auditListed: "admin.audit_listed",
  healthViewed: "admin.health_viewed",
} as const;

/** Every action name the product writes, for the viewer's suggestions. */
export const KNOWN_AUDIT_ACTIONS = [
  ...Object.values(AUDIT_ACTIONS),
  "auth.signup",
  "auth.login",
  "customer.updated",
  "customer.manychat_key_changed",
  "customer.webhook_secret_rotated",
  "customer.exported",
  "customer.deletion_requested",
  "customer.restored",
  "customer.purged",
  "document.uploaded",
  "document.deleted",
  // Stripe (lib/billing/stripe): plan changes Stripe made, failed payments, ended grace periods.
  "billing.plan_changed",
  "billing.payment_failed",
  "billing.grace_expired",
].sort();
