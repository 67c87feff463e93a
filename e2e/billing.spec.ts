import { LOCALE_COOKIE } from "../lib/i18n/locales";
import {
  expect,
  expectAccessible,
  expectNoHorizontalScroll,
  PASSWORD,
  signUpViaApi,
  test,
  uniqueCompany,
  uniqueEmail,
} from "./support";

// The Usage and billing page of a new workspace on an installation without Stripe: the
// plans cannot be bought online (said so, buttons disabled), and the invoices section
// explains when the first invoice will come. Invoices with figures are covered by
// tests/api/invoices.test.ts (this suite's embedded database takes no fixtures).

test("a new workspace sees its plan, the payments notice and an empty invoices list", async ({ page }) => {
  await signUpViaApi(page.request, { email: uniqueEmail("billing"), company: uniqueCompany("Billing Bakery") });
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(viewport);
    await page.goto("/dashboard/billing");
    await expect(page.getByRole("heading", { level: 1, name: "Usage and billing" })).toBeVisible();

    // Payments not configured: every other plan's button is disabled and explained.
    const note = page.getByText("Online payment is not configured on this installation yet");
    await expect(note).toBeVisible();
    const choose = page.getByRole("button", { name: /^Choose / });
    expect(await choose.count()).toBeGreaterThan(0);
    for (const button of await choose.all()) {
      await expect(button).toBeDisabled();
      await expect(button).toHaveAccessibleDescription(/Online payment is not configured/);
    }
    await expect(page.getByRole("button", { name: "Manage billing" })).toHaveCount(0);

    // No period has ended yet: the empty state says when the first invoice comes.
    const invoices = page.getByRole("region", { name: "Invoices" });
    await expect(invoices.getByRole("heading", { level: 2, name: "Invoices" })).toBeVisible();
    await expect(
      invoices.getByText(/^No invoice yet\. The first one appears here when this billing period ends, on /),
    ).toBeVisible();
    await expect(page.getByTestId("invoices-table")).toHaveCount(0);

    await expectNoHorizontalScroll(page);
    await expectAccessible(page, `billing (${viewport.width}px)`);
  }

  // The same page in French.
  await page.context().addCookies([{ name: LOCALE_COOKIE, value: "fr", url: page.url() }]);
  await page.goto("/dashboard/billing");
  await expect(page.getByRole("heading", { level: 1, name: "Consommation et facturation" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Factures" })).toBeVisible();
  await expect(page.getByText(/^Aucune facture pour l’instant\./)).toBeVisible();
});

// The global admin of e2e/admin.spec.ts (an address of ADMIN_EMAILS in playwright.config.ts).
const ADMIN_EMAIL = "ops-admin@example.test";

test("staff see a tenant's requests this period, its limit and its invoices in the support view", async ({
  page,
  request,
}) => {
  const tenantName = uniqueCompany("Billed Bistro");
  await signUpViaApi(request, { email: uniqueEmail("billed"), company: tenantName });
  const me = await (await request.get("/api/v1/customers/me")).json();

  const credentials = { email: ADMIN_EMAIL, password: PASSWORD };
  let login = await page.request.post("/api/v1/auth/login", { data: credentials });
  if (login.status() !== 200) {
    await page.request.post("/api/v1/auth/signup", { data: { ...credentials, company_name: uniqueCompany("Ops") } });
    login = await page.request.post("/api/v1/auth/login", { data: credentials });
  }
  expect(login.status(), await login.text()).toBe(200);

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(viewport);
    await page.goto(`/admin/tenants/${me.id}`);
    await expect(page.getByRole("heading", { level: 1, name: tenantName })).toBeVisible();
    const usage = page.getByRole("region", { name: "Plan and usage" });
    await expect(usage.getByText("Requests this billing period")).toBeVisible();
    await expect(usage.getByText("0 of 100", { exact: true })).toBeVisible();
    await expect(usage.getByText("No online subscription")).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Invoices" })).toBeVisible();
    await expect(page.getByText(/^No invoice yet: one is written when each billing period/)).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, `admin tenant billing (${viewport.width}px)`);
  }
});
