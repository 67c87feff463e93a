import path from "node:path";
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

test("a new business signs up, sees its dashboard, logs out and logs back in", async ({ page, context }) => {
  const company = uniqueCompany("Bakery Rossi");
  const email = uniqueEmail("owner");

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(page, "landing");

  await page.getByRole("link", { name: "Start free" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: "Create your workspace" })).toBeVisible();
  await expectAccessible(page, "signup");

  await page.getByLabel("Company name", { exact: true }).fill(company);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create workspace" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("workspace-name")).toHaveText(company);
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
  const webhookUrl = page.getByRole("textbox", { name: "Webhook URL", exact: true });
  await expect(webhookUrl).toHaveValue(/^https?:\/\/[^/]+\/api\/v1\/webhook\/manychat$/);
  const copy = page.getByRole("button", { name: "Copy Webhook URL", exact: true });
  await expect(copy).toBeVisible();

  await expectAccessible(page, "dashboard");

  await page.screenshot({ path: path.join(screenshotDir, "dashboard-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("workspace-name")).toBeVisible();
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: path.join(screenshotDir, "dashboard-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await copy.click();
  await expect(page.getByRole("button", { name: "Copied Webhook URL", exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Webhook URL" })).toHaveText(
    "Webhook URL copied to the clipboard.",
  );
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await webhookUrl.inputValue());
  await expectAccessible(page, "dashboard (after copying)");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expectAccessible(page, "login");

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);

  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("workspace-name")).toHaveText(company);
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
});

test("landing and sign-up pages fit a phone screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Start free" })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await page.goto("/signup");
  await expect(page.getByRole("button", { name: "Create workspace" })).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test("a wrong password is refused with a clear message", async ({ page, request, consoleGuard }) => {
  const email = uniqueEmail("wrongpw");
  await signUpViaApi(request, { email, company: uniqueCompany("Wrong Password Ltd") });
  // Chromium logs every non-2xx fetch as a console error; this 401 is the point of the test.
  consoleGuard.allow(/status of 401 .*\/api\/v1\/auth\/login\]$/);

  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill("not the right password");
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await expectAccessible(page, "login (wrong password)");
});

test("sign-up with a too-short password explains why and stays on the form", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Company name", { exact: true }).fill(uniqueCompany("Short Password Co"));
  await page.getByLabel("Email", { exact: true }).fill(uniqueEmail("shortpw"));
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("short1");
  await page.getByRole("button", { name: "Create workspace" }).click();

  await expect(page.locator("form").getByRole("alert")).toBeVisible();
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription("Password must be at least 10 characters.");
  await expect(password).toBeFocused();
  await expect(page).toHaveURL(/\/signup$/);
  await expectAccessible(page, "signup (too-short password)");
});

test("sign-up with a common password explains why and stays on the form", async ({ page, consoleGuard }) => {
  // Chromium logs every non-2xx fetch as a console error; this 422 is the point of the test.
  consoleGuard.allow(/status of 422 .*\/api\/v1\/auth\/signup\]$/);
  await page.goto("/signup");
  const password = page.getByLabel("Password", { exact: true });
  // The hint says it before anything is typed.
  await expect(password).toHaveAccessibleDescription(/not a common password/);
  await page.getByLabel("Company name", { exact: true }).fill(uniqueCompany("Common Password Co"));
  await page.getByLabel("Email", { exact: true }).fill(uniqueEmail("commonpw"));
  await password.fill("1234567890");
  await page.getByRole("button", { name: "Create workspace" }).click();

  await expect(page.locator("form").getByRole("alert")).toBeVisible();
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(
    "Password is too common or too easy to guess. Use a phrase of a few unrelated words.",
  );
  await expect(password).toBeFocused();
  await expect(page).toHaveURL(/\/signup$/);
});

test("an account user gets the not-found page at /admin", async ({ page, consoleGuard }) => {
  await signUpViaApi(page.request, { email: uniqueEmail("user"), company: uniqueCompany("Plain User GmbH") });
  // The 404 status of the document itself is what the test checks.
  consoleGuard.allow(/status of 404 .*\/admin\]$/);

  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await expectAccessible(page, "not-found");

  await page.goto("/dashboard");
  await expect(page.getByTestId("workspace-name")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
});

test("an admin sees the Admin link and the list of tenants", async ({ page, request }) => {
  const otherTenant = uniqueCompany("Tenant Hardware Store");
  await signUpViaApi(request, { email: uniqueEmail("tenant"), company: otherTenant });
  const adminCompany = uniqueCompany("Operator HQ");

  await page.goto("/signup");
  await page.getByLabel("Company name", { exact: true }).fill(adminCompany);
  await page.getByLabel("Email", { exact: true }).fill("admin@example.test");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("workspace-name")).toHaveText(adminCompany);

  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Tenants" })).toBeVisible();
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Name" })).toBeVisible();
  await expect(table.getByRole("cell", { name: otherTenant, exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: adminCompany, exact: true })).toBeVisible();
  await expectAccessible(page, "admin");

  // On a phone the table scrolls inside its own (keyboard-focusable) region, not the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, "admin (phone)");
});
