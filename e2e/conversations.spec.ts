import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
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

const priceList = textPdf([
  "# Price list 2026\n\nThe espresso machine costs 499 EUR. Delivery within Italy is free for orders over 50 EUR.",
]);

/** Cookie-authenticated API calls from outside the page must name our origin (CSRF check). */
const sameOrigin = (page: Page) => ({ origin: new URL(page.url()).origin });

async function uploadAndWait(request: APIRequestContext, page: Page) {
  const up = await request.post("/api/v1/documents/upload", {
    headers: sameOrigin(page),
    multipart: { file: { name: "price-list.pdf", mimeType: "application/pdf", buffer: Buffer.from(priceList) } },
  });
  expect(up.status(), await up.text()).toBe(202);
  const id = (await up.json()).document.id as string;
  await expect
    .poll(async () => (await (await request.get(`/api/v1/documents/${id}`)).json()).status, { timeout: 30_000 })
    .toBe("processed");
}

async function ask(page: Page, question: string, subscriberId: string) {
  const res = await page.request.post("/api/v1/query", {
    headers: sameOrigin(page),
    data: { question, subscriber_id: subscriberId },
  });
  expect(res.status(), await res.text()).toBe(200);
  return res.json() as Promise<{ answered: boolean }>;
}

/** One conversation of the list, found by the customer's name (the card is named after it). */
const card = (page: Page, name: string) => page.getByRole("listitem", { name, exact: true });

test("lists conversations, searches them and shows a thread with its sources", async ({ page, consoleGuard }) => {
  // The last step opens a conversation that does not exist, on purpose.
  consoleGuard.allow(/status of 404 .*\/dashboard\/conversations\/someone-else\]$/);
  await signUpViaApi(page.request, { email: uniqueEmail("conv"), company: uniqueCompany("Conv Shop") });
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversations" }).click();
  await expect(page).toHaveURL(/\/dashboard\/conversations$/);
  await expect(page.getByRole("heading", { level: 1, name: "Conversations" })).toBeVisible();

  // Empty: what will appear here, and where to connect ManyChat or try it out.
  await expect(page.getByRole("heading", { name: "No conversations yet" })).toBeVisible();
  await expect(page.getByText(/WhatsApp conversations appear here once ManyChat is connected/)).toBeVisible();
  const empty = page.getByRole("region", { name: "No conversations yet" });
  await expect(empty.getByRole("link", { name: "Settings" })).toHaveAttribute("href", "/dashboard/settings");
  await expect(empty.getByRole("link", { name: "Playground" })).toHaveAttribute("href", "/dashboard/playground");
  await expectAccessible(page, "conversations (empty)");

  // Two customers are simulated from the signed-in session (recorded as Playground):
  // one answered, one not covered.
  const patch = await page.request.patch("/api/v1/customers/me", {
    headers: sameOrigin(page),
    data: { settings: { language: "en" } },
  });
  expect(patch.status(), await patch.text()).toBe(200);
  await uploadAndWait(page.request, page);
  const answered = await ask(page, "How much does the espresso machine cost?", "customer-anna");
  expect(answered.answered).toBe(true);
  const refused = await ask(page, "Do you repair bicycles on Sundays?", "customer-bruno");
  expect(refused.answered).toBe(false);

  await page.reload();
  await expect(page.getByRole("heading", { name: "Latest conversations" })).toBeVisible();
  const anna = card(page, "Customer customer-anna");
  const bruno = card(page, "Customer customer-bruno");
  await expect(anna.getByTestId("conversation-status")).toHaveText("Latest question: Answered");
  await expect(bruno.getByTestId("conversation-status")).toHaveText("Latest question: Unanswered");
  await expect(anna).toContainText("Playground");
  await expect(anna).toContainText("2 messages");
  await expect(anna).toContainText(/Assistant: .*espresso machine costs 499 EUR/);
  // Most recent first.
  await expect(page.getByRole("listitem").first()).toHaveAccessibleName("Customer customer-bruno");
  await expectAccessible(page, "conversations (filled)");
  await page.screenshot({ path: path.join(screenshotDir, "conversations-desktop.png"), fullPage: true });

  // Search (a plain GET form: works without JavaScript).
  const search = page.getByRole("searchbox", { name: "Search conversations" });
  await search.fill("bicycles");
  await search.press("Enter");
  await expect(page).toHaveURL(/\?q=bicycles$/);
  await expect(page.getByRole("heading", { name: /Conversations matching “bicycles”/ })).toBeVisible();
  await expect(bruno).toBeVisible();
  await expect(bruno).toContainText("Matching message: Do you repair bicycles on Sundays?");
  await expect(anna).toHaveCount(0);
  await expect(search).toHaveValue("bicycles");
  await search.fill("nothing like this");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("heading", { name: "No conversation matches “nothing like this”" })).toBeVisible();
  await page.getByRole("link", { name: "Clear search" }).click();
  await expect(page).toHaveURL(/\/dashboard\/conversations$/);
  await expect(anna).toBeVisible();

  // The thread: the customer's question on the left, the answer on the right, with its source.
  await anna.getByRole("link", { name: "Customer customer-anna" }).click();
  await expect(page).toHaveURL(/\/dashboard\/conversations\/customer-anna$/);
  await expect(page.getByRole("heading", { level: 1, name: "Customer customer-anna" })).toBeVisible();
  await expect(page.getByTestId("conversation-channel")).toHaveText("Playground");
  const thread = page.getByRole("region", { name: "Messages" }).getByRole("list").first();
  const question = thread.locator(":scope > li[data-direction=inbound]");
  const answer = thread.locator(":scope > li[data-direction=outbound]");
  await expect(question).toHaveCount(1);
  await expect(answer).toHaveCount(1);
  await expect(question).toContainText("How much does the espresso machine cost?");
  await expect(question.getByTestId("message-status")).toHaveText("Status: Answered");
  await expect(answer).toContainText("499 EUR");
  await expect(answer.getByTestId("message-status")).toHaveText("Status: Sent");
  await expect(question.locator("time")).toHaveText(/ UTC$/);
  const qBox = (await question.boundingBox())!;
  const aBox = (await answer.boundingBox())!;
  expect(qBox.x, "the question sits on the left").toBeLessThan(aBox.x);
  expect(aBox.x + aBox.width, "the answer sits on the right").toBeGreaterThan(qBox.x + qBox.width);

  const source = answer.getByText("📄 price-list.pdf, p. 1");
  await expect(source).toBeVisible();
  const excerpt = answer.locator("details blockquote").first();
  await expect(excerpt).toBeHidden();
  await source.click();
  await expect(excerpt).toBeVisible();
  await expect(excerpt).toContainText("espresso machine");
  await expectAccessible(page, "conversation thread");

  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, "conversation thread (phone)");
  await page.screenshot({ path: path.join(screenshotDir, "conversations-phone.png"), fullPage: true });

  // Back to the list at phone width.
  await page.getByRole("link", { name: "All conversations" }).click();
  await expect(anna).toBeVisible();
  await expectNoHorizontalScroll(page);

  // An unknown conversation is simply not found.
  const missing = await page.goto("/dashboard/conversations/someone-else");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
