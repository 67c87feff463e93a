import path from "node:path";
import type { Page } from "@playwright/test";
import { textPdf } from "../tests/support/pdf-fixtures";
import {
  expect,
  expectAccessible,
  expectNoHorizontalScroll,
  screenshotDir,
  signUpViaApi,
  test,
  uniqueCompany,
  uniqueEmail,
} from "./support";

// Every page a visitor or a tenant can open, at desktop and phone widths: a screenshot of
// each, no serious or critical accessibility violation, no sideways scrolling, no console
// error (the guard in ./support). The admin console's pages are toured in admin.spec.ts.

async function visit(page: Page, url: string, name: string, heading: RegExp | string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expectAccessible(page, name);
  await page.screenshot({ path: path.join(screenshotDir, `tour-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, `${name} (phone)`);
  await page.screenshot({ path: path.join(screenshotDir, `tour-${name}-phone.png`), fullPage: true });
}

test("public pages", async ({ page, consoleGuard }) => {
  // Five pages, each checked by axe and photographed in full at two widths (the API
  // reference is long): more than the default minute on a busy machine.
  test.setTimeout(180_000);
  consoleGuard.allow(/status of 404/);
  await visit(page, "/", "landing", /WhatsApp customers/);
  await visit(page, "/login", "login", "Log in");
  await visit(page, "/signup", "signup", "Create your workspace");
  await visit(page, "/no-such-page", "not-found", "Page not found");
  await visit(page, "/docs", "api-reference", /API/);
});

test("every dashboard page, with a document and a conversation", async ({ page }) => {
  test.setTimeout(180_000);
  await signUpViaApi(page.request, { email: uniqueEmail("tour"), company: uniqueCompany("Tour Bakery") });
  await page.goto("/dashboard");
  const origin = new URL(page.url()).origin;
  const upload = await page.request.post("/api/v1/documents/upload", {
    headers: { origin },
    multipart: {
      file: {
        name: "bakery-menu.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(textPdf([["Menu"], ["A croissant costs 1.20 euros. Opening hours: 7am to 7pm."]])),
      },
    },
  });
  expect(upload.status(), await upload.text()).toBe(202);
  const id = (await upload.json()).document.id;
  await expect
    .poll(async () => (await (await page.request.get(`/api/v1/documents/${id}`)).json()).status, { timeout: 30_000 })
    .toBe("processed");
  const query = await page.request.post("/api/v1/query", {
    headers: { origin },
    data: { question: "How much is a croissant?" },
  });
  expect(query.status(), await query.text()).toBe(200);

  await visit(page, "/dashboard", "dashboard-home", /.+/);
  await visit(page, "/dashboard/documents", "documents", "Documents");
  await visit(page, "/dashboard/playground", "playground", "Playground");
  await visit(page, "/dashboard/conversations", "conversations", "Conversations");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/dashboard/conversations");
  const thread = page.locator('main a[href^="/dashboard/conversations/"]').first();
  const href = await thread.getAttribute("href");
  expect(href).toBeTruthy();
  await visit(page, href as string, "conversation-thread", /.+/);
  await visit(page, "/dashboard/insights", "insights", "Insights");
  await visit(page, "/dashboard/billing", "billing", "Usage and billing");
  await visit(page, "/dashboard/settings", "settings", "Settings");
});
