import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { textPdf } from "../tests/support/pdf-fixtures";
import {
  expect,
  expectAccessible,
  expectNoHorizontalScroll,
  PASSWORD,
  screenshotDir,
  signUpViaApi,
  test,
  uniqueCompany,
  uniqueEmail,
} from "./support";

// The second address of ADMIN_EMAILS in playwright.config.ts (auth.spec uses the first).
const ADMIN_EMAIL = "ops-admin@example.test";

/** Signs the context in as the global admin, creating the account on first use; returns a bearer token. */
async function adminSession(request: APIRequestContext): Promise<string> {
  const login = await request.post("/api/v1/auth/login", { data: { email: ADMIN_EMAIL, password: PASSWORD } });
  if (login.status() === 200) return (await login.json()).access_token;
  const signup = await request.post("/api/v1/auth/signup", {
    data: { email: ADMIN_EMAIL, password: PASSWORD, company_name: uniqueCompany("Platform Ops") },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  const body = await signup.json();
  expect(body.user.role).toBe("global_admin");
  return body.access_token;
}

/** Desktop and phone screenshots of the current page, with the checks every page gets at both widths. */
async function screenshots(page: Page, name: string) {
  await expectAccessible(page, name);
  await page.screenshot({ path: path.join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, `${name} (phone)`);
  await page.screenshot({ path: path.join(screenshotDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });
}

const sameOrigin = (page: Page) => ({ origin: new URL(page.url()).origin });

const roomsPdf = textPdf(["# Rooms\n\nA double room costs 120 EUR a night, breakfast included."]);

test("a global admin creates and edits a plan, and suspends and reactivates a tenant", async ({ page, request }) => {
  const tenantName = uniqueCompany("Suspendable Shop");
  await signUpViaApi(request, { email: uniqueEmail("suspendable"), company: tenantName });
  await adminSession(page.request);

  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Tenants" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Plans" }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  await expect(page.getByRole("heading", { level: 1, name: "Plans" })).toBeVisible();
  const table = page.getByRole("table");
  await expect(table.getByRole("rowheader", { name: /^Starter/ })).toBeVisible();

  // Nothing filled in: each field says what is wrong, nothing is sent.
  const form = page.getByRole("region", { name: "New plan" });
  await form.getByRole("button", { name: "Create plan" }).click();
  await expect(form.getByRole("alert")).toHaveText("Check the fields marked below.");
  await expect(form.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Requests per month")).toHaveAccessibleDescription(/Enter a whole number\./);

  const planName = uniqueCompany("E2E Plan");
  await form.getByLabel("Name", { exact: true }).fill(planName);
  await form.getByLabel("Requests per month").fill("1234");
  await form.getByLabel("Storage (MB)").fill("300");
  await form.getByLabel("Price per month (€)").fill("19.90");
  await form.getByLabel("Overage price per request (€)").fill("0.02");
  await form.getByLabel("Allow overage").check();
  await form.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByRole("status").filter({ hasText: "saved" })).toHaveText(`✓ Plan “${planName}” saved.`);
  const created = table.getByRole("row").filter({ hasText: planName });
  await expect(created).toContainText("1,234");
  await expect(created).toContainText("€19.90");
  await expect(created).toContainText("€0.02 / request");

  // Edit it: the form opens with its values and takes the focus.
  await page.getByRole("link", { name: `Edit plan ${planName}` }).click();
  const editor = page.getByRole("region", { name: `Edit plan “${planName}”` });
  await expect(editor.getByRole("heading", { name: `Edit plan “${planName}”` })).toBeFocused();
  await expect(editor.getByLabel("Requests per month")).toHaveValue("1234");
  await expect(editor.getByLabel("Price per month (€)")).toHaveValue("19.90");
  await expectAccessible(page, "admin plans (editing)");
  const renamed = `${planName} Plus`;
  await editor.getByLabel("Name", { exact: true }).fill(renamed);
  await editor.getByLabel("Requests per month").fill("5000");
  await editor.getByRole("button", { name: "Save plan" }).click();
  await expect(page.getByRole("status").filter({ hasText: "saved" })).toHaveText(`✓ Plan “${renamed}” saved.`);
  const edited = table.getByRole("row").filter({ hasText: renamed });
  await expect(edited).toContainText("5,000");
  await expect(edited).toContainText("€19.90");
  await expect(table.getByRole("rowheader", { name: planName, exact: true })).toHaveCount(0);
  await screenshots(page, "admin-plans");

  // Suspend a tenant from its support view, with a confirmation; then reactivate it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tenants" }).click();
  await page.getByLabel("Search tenants").fill(tenantName);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/admin\?query=/);
  await page.getByRole("table").getByRole("link", { name: tenantName, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: tenantName })).toBeVisible();
  await page.getByLabel("Reason (optional)").fill("E2E check");
  await page.getByRole("button", { name: "Suspend tenant" }).click();
  const dialog = page.getByRole("dialog", { name: `Suspend ${tenantName}?` });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Suspend", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Tenant suspended." })).toBeVisible();
  await expect(page.getByText("Suspended", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reactivate tenant" })).toBeEnabled();
  await screenshots(page, "admin-tenant-suspended");

  await page.getByRole("button", { name: "Reactivate tenant" }).click();
  await page
    .getByRole("dialog", { name: `Reactivate ${tenantName}?` })
    .getByRole("button", { name: "Reactivate", exact: true })
    .click();
  await expect(page.getByRole("status").filter({ hasText: "Tenant reactivated." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Suspend tenant" })).toBeVisible();

  // Both changes are in the tenant's audit log, with the reason.
  await page.getByRole("link", { name: "tenant's audit log" }).click();
  const log = page.getByRole("table");
  await expect(log.getByRole("row").filter({ hasText: "admin.tenant_suspended" })).toContainText("E2E check");
  await expect(log.getByRole("row").filter({ hasText: "admin.tenant_reactivated" })).toContainText(ADMIN_EMAIL);
});

test("a support user reads every admin page but has no controls, and the API refuses its changes", async ({
  page,
  request,
  playwright,
  baseURL,
}) => {
  const tenantName = uniqueCompany("Helped Hotel");
  await signUpViaApi(request, { email: uniqueEmail("helped"), company: tenantName });
  const upload = await request.post("/api/v1/documents/upload", {
    headers: { origin: new URL(baseURL as string).origin },
    multipart: { file: { name: "rooms.pdf", mimeType: "application/pdf", buffer: Buffer.from(roomsPdf) } },
  });
  expect(upload.status(), await upload.text()).toBe(202);

  // A support account is a user a global admin gave the support role.
  const supportEmail = uniqueEmail("support");
  const signup = await page.request.post("/api/v1/auth/signup", {
    data: { email: supportEmail, password: PASSWORD, company_name: uniqueCompany("Support Desk") },
  });
  expect(signup.status()).toBe(201);
  const supportId = (await signup.json()).user.id as string;
  const admin = await playwright.request.newContext({ baseURL });
  const token = await adminSession(admin);
  const promoted = await admin.patch(`/api/v1/admin/users/${supportId}`, {
    headers: { authorization: `Bearer ${token}` },
    data: { role: "support_user" },
  });
  expect(promoted.status(), await promoted.text()).toBe(200);
  /** The audit entries of one action written by the support user (read with the admin's token). */
  const supportEntries = async (action: string) => {
    const res = await admin.get(`/api/v1/admin/audit-logs?action=${action}&limit=200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status()).toBe(200);
    const { items } = (await res.json()) as { items: { actor: { email: string | null } }[] };
    return items.filter((e) => e.actor.email === supportEmail);
  };

  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByText("Support (read only)")).toBeVisible();
  await page.getByLabel("Search tenants").fill(tenantName);
  await page.getByRole("button", { name: "Search" }).click();
  const tenants = page.getByRole("table");
  await expect(tenants.getByRole("row")).toHaveCount(2); // the header and the one match
  await screenshots(page, "admin-tenants");

  await tenants.getByRole("link", { name: tenantName, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: tenantName })).toBeVisible();
  await expect(page.getByText(/Support view, read only\. This visit is recorded/)).toBeVisible();
  const documents = page.getByRole("region", { name: "Documents" });
  await expect(documents.getByRole("cell", { name: /^rooms\.pdf/ })).toBeVisible();
  await expect(
    page.getByText("Support accounts can read this workspace but not change it", { exact: false }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: /suspend|reactivate/i })).toHaveCount(0);
  await expect(page.getByLabel("Reason (optional)")).toHaveCount(0);
  await screenshots(page, "admin-tenant");
  const tenantId = new URL(page.url()).pathname.split("/").pop() as string;

  // Audited pages are recorded when someone opens them, never because a link to them was
  // on screen (no prefetching of audited reads).
  await page.waitForLoadState("networkidle");
  expect(await supportEntries("support.view_tenant")).toHaveLength(1);
  expect(await supportEntries("admin.health_viewed")).toHaveLength(0);
  expect(await supportEntries("admin.plans_listed")).toHaveLength(0);

  // The API refuses every change a support user tries, even from the console's own origin.
  for (const [url, data] of [
    [`/api/v1/admin/customers/${tenantId}/suspend`, {}],
    ["/api/v1/admin/subscriptions", { name: "Sneaky", monthly_request_limit: 1, storage_limit_mb: 1, price_cents: 0 }],
  ] as const) {
    const refused = await page.request.post(url, { headers: sameOrigin(page), data });
    expect(refused.status(), url).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");
  }
  await page.reload();
  await expect(page.getByText("Active", { exact: true })).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Plans" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Plans" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: /^Free/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Edit plan/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create plan" })).toHaveCount(0);
  await expect(page.getByText("only a global admin can change them")).toBeVisible();

  // Its own visit is in the audit log.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Tenant id").fill(tenantId);
  await page.getByLabel("Action", { exact: true }).fill("support.view_tenant");
  await page.getByRole("button", { name: "Filter" }).click();
  const visit = page.getByRole("table").getByRole("row").filter({ hasText: "support.view_tenant" }).first();
  await expect(visit).toContainText(supportEmail);
  await expect(visit).toContainText("Support (read only)");
  await screenshots(page, "admin-audit");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Health" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "System health" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Job queue" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent failed jobs" })).toBeVisible();
  await screenshots(page, "admin-health");
  expect(await supportEntries("admin.health_viewed")).toHaveLength(1);
  await admin.dispose();
});
