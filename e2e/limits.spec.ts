import type { APIRequestContext } from "@playwright/test";
import {
  expect,
  expectAccessible,
  expectNoHorizontalScroll,
  PASSWORD,
  test,
  uniqueCompany,
  uniqueEmail,
} from "./support";

// A tenant on a plan without overage uses up its requests: the next WhatsApp message gets
// the tenant's own limit text (shown by the simulator), the message is kept and marked
// in Conversations, and every dashboard page says so with a way to a larger plan.

// The second address of ADMIN_EMAILS in playwright.config.ts (as in admin.spec.ts).
const ADMIN_EMAIL = "ops-admin@example.test";
const LIMIT_TEXT = "Thanks for your message! Our assistant is resting until next month; a person will answer you.";

async function adminToken(request: APIRequestContext): Promise<string> {
  const login = await request.post("/api/v1/auth/login", { data: { email: ADMIN_EMAIL, password: PASSWORD } });
  if (login.status() === 200) return (await login.json()).access_token;
  const signup = await request.post("/api/v1/auth/signup", {
    data: { email: ADMIN_EMAIL, password: PASSWORD, company_name: uniqueCompany("Platform Ops") },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  return (await signup.json()).access_token;
}

test("at the limit of a plan without overage, customers get the limit text and the dashboard says so", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  // The tenant signs up in the browser's context; staff act from a context of their own.
  const signup = await page.request.post("/api/v1/auth/signup", {
    data: { email: uniqueEmail("limited"), password: PASSWORD, company_name: uniqueCompany("Tiny Bakery") },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  const customerId = (await signup.json()).customer.id as string;
  const staffContext = await browser.newContext({ baseURL });
  const staff = staffContext.request;
  const auth = { authorization: `Bearer ${await adminToken(staff)}` };
  const planName = uniqueCompany("One answer");
  const plan = await staff.post("/api/v1/admin/subscriptions", {
    headers: auth,
    data: { name: planName, monthly_request_limit: 1, storage_limit_mb: 10, price_cents: 0 },
  });
  expect(plan.status(), await plan.text()).toBe(201);
  // A global admin moves the tenant onto it from the support view.
  const admin = await staffContext.newPage();
  await admin.goto(`/admin/tenants/${customerId}`);
  const planSection = admin.getByRole("region", { name: "Plan" });
  await planSection.getByLabel("Plan", { exact: true }).selectOption({ label: planName });
  await planSection.getByLabel("Reason for the plan change (optional)").fill("Trial of the one-answer plan");
  await planSection.getByRole("button", { name: "Change plan" }).click();
  await expect(planSection.getByRole("status")).toHaveText("Plan changed.");
  await expectAccessible(admin, "admin tenant plan form");
  await staffContext.close();

  // The tenant writes its limit text.
  await page.goto("/dashboard/settings");
  const limitField = page.getByLabel("Plan limit text");
  await expect(limitField).toBeVisible();
  await limitField.fill(LIMIT_TEXT);
  await page.getByRole("button", { name: "Save replies" }).click();
  await expect(page.getByText("Saved").first()).toBeVisible();

  // The first simulated message uses the plan's only request; the second gets the limit text.
  await page.goto("/dashboard");
  const simulator = page.getByTestId("step-test");
  const simulate = simulator.getByRole("button", { name: "Simulate a WhatsApp message" });
  await simulator.getByLabel("Customer message").fill("Do you bake on Sundays?");
  await simulate.click();
  await expect(simulator.getByTestId("simulator-outcome")).toBeVisible({ timeout: 30_000 });
  await expect(simulator.getByTestId("simulator-outcome")).not.toContainText("used up");
  await expect(simulate).toBeEnabled();
  await simulator.getByLabel("Customer message").fill("And on Mondays?");
  await simulate.click();
  await expect(simulator.getByTestId("simulator-outcome")).toContainText("monthly answers are used up", {
    timeout: 30_000,
  });
  await expect(simulator.getByTestId("whatsapp-bubble")).toContainText(LIMIT_TEXT);

  // Every dashboard page now carries the banner, with the way to a larger plan.
  await page.goto("/dashboard/conversations");
  const banner = page.getByRole("region", { name: "Your plan's answers for this month are used up" });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("WhatsApp customers get your plan limit text");
  await expectAccessible(page, "conversations with the limit banner");
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalScroll(page);
  await page.setViewportSize({ width: 1280, height: 720 });

  // The message over the limit is kept, and marked.
  await page.getByRole("link", { name: "WhatsApp simulator", exact: true }).click();
  await expect(page.getByText("And on Mondays?")).toBeVisible();
  await expect(page.getByText("Over plan limit").first()).toBeVisible();
  await expect(page.getByText(LIMIT_TEXT)).toBeVisible();

  await banner.getByRole("link", { name: "Choose a larger plan" }).click();
  await expect(page).toHaveURL(/\/dashboard\/billing$/);
});
