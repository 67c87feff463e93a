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

const FILENAME = "bakery-handbook.pdf";
const handbook = textPdf([
  "# Bakery handbook\n\nWelcome to the team. Aprons are in the locker room; wash your hands before every shift.",
  "# Signature cakes\n\nThe Zephyrine almond cake is baked with exactly 37 grams of Kashmir saffron and sold only on Sundays.",
]);

const EXTERNAL_REQUEST_BODY =
  '{"subscriber_id": "{{user_id}}", "text": "{{last_input_text}}", "first_name": "{{first_name}}", "phone": "{{phone}}"}';

/** Cookie-authenticated mutations must say where they come from (CSRF protection). */
const originOf = (page: Page) => new URL(page.url()).origin;

async function uploadAndWait(page: Page) {
  const res = await page.request.post("/api/v1/documents/upload", {
    headers: { origin: originOf(page) },
    multipart: { file: { name: FILENAME, mimeType: "application/pdf", buffer: Buffer.from(handbook) } },
  });
  expect(res.status(), await res.text()).toBe(202);
  const { document } = (await res.json()) as { document: { id: string } };
  await expect
    .poll(
      async () => {
        const doc = await page.request.get(`/api/v1/documents/${document.id}`);
        return ((await doc.json()) as { status: string }).status;
      },
      { message: "the PDF is processed", timeout: 30_000 },
    )
    .toBe("processed");
}

async function screenshots(page: Page, name: string, visible: () => Promise<void>) {
  await page.screenshot({ path: path.join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await visible();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, `${name} (phone)`);
  await page.screenshot({ path: path.join(screenshotDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("the playground answers from the documents, shows the sources and the WhatsApp messages", async ({
  page,
  consoleGuard,
}) => {
  // The rate-limit error below is provoked on purpose.
  consoleGuard.allow(/status of 429 .*\/api\/v1\/query\]$/);
  await signUpViaApi(page.request, { email: uniqueEmail("play"), company: uniqueCompany("Harbour Bakery") });
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page).toHaveURL(/\/dashboard\/playground$/);
  await expect(page.getByRole("heading", { level: 1, name: "Playground" })).toBeVisible();

  // Empty state: answers come only from the documents, and there are none yet.
  await expect(page.getByRole("heading", { name: "No question asked yet" })).toBeVisible();
  await expect(page.getByText(/Answers come only from the PDFs you uploaded/)).toBeVisible();
  await expect(page.getByTestId("playground-no-documents").getByRole("link", { name: "Documents" })).toHaveAttribute(
    "href",
    "/dashboard/documents",
  );
  await expectAccessible(page, "playground (empty)");

  await uploadAndWait(page);
  await page.reload();
  await expect(page.getByText("1 processed document is searched.")).toBeVisible();

  // Ask about the fact: the button says it is thinking while the answer is prepared.
  await page.route("**/api/v1/query", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  const askRegion = page.getByRole("region", { name: "Ask a question" });
  const question = page.getByLabel("Customer question");
  const ask = page.getByRole("button", { name: /^(Ask|Thinking…)$/ });
  await question.fill("How many grams of saffron go into the Zephyrine almond cake?");
  await ask.click();
  await expect(ask).toHaveText("Thinking…");
  await expect(ask).toBeDisabled();
  await expect(page.getByTestId("answer-text")).toContainText("37 grams of Kashmir saffron");
  await expect(ask).toHaveText("Ask");
  await expect(ask).toBeEnabled();
  await page.unroute("**/api/v1/query");

  await expect(page.getByTestId("answered")).toHaveText(/Answered from your documents/);
  await expect(page.getByTestId("answer-mode")).toHaveText("Extractive");
  await expect(page.getByText(/Extractive mode: no Gemini API key is configured/)).toBeVisible();
  await expect(page.getByTestId("answer-latency")).toHaveText(/^[\d,]+ ms$/);
  const sources = page.getByRole("region", { name: /^Sources/ });
  const source = sources.getByRole("listitem", { name: `${FILENAME}, page 2` });
  await expect(source).toBeVisible();
  await expect(source).toContainText(FILENAME);
  await expect(source).toContainText("page 2");
  await expect(source).toContainText(/score \d+\.\d{3}/);
  await expect(source).toContainText("Zephyrine almond cake");

  // The WhatsApp rendering: the customer's question, then the answer with its source line.
  const phone = page.getByRole("list", { name: "WhatsApp messages" });
  await expect(phone.getByRole("listitem").first()).toContainText("How many grams of saffron");
  const bubbles = page.getByTestId("whatsapp-bubble");
  await expect(bubbles).toHaveCount(1);
  await expect(bubbles.first()).toContainText("37 grams of Kashmir saffron");
  await expect(bubbles.first()).toContainText(`📄 ${FILENAME}, p. 2`);

  await expectAccessible(page, "playground (answered)");
  await screenshots(page, "playground", () => expect(bubbles.first()).toBeVisible());

  // Something the documents do not cover (asked with Ctrl+Enter): the honest notice.
  await question.fill("Do you deliver electric bicycles to Norway?");
  await question.press("Control+Enter");
  await expect(page.getByTestId("not-answered")).toContainText(
    "Not in your documents — this is what the customer would get.",
  );
  await expect(page.getByTestId("answered")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Sources (0)" })).toBeVisible();
  await expect(bubbles).toHaveCount(1);
  await expect(bubbles.first()).toContainText((await page.getByTestId("answer-text").textContent()) ?? "");
  await expectAccessible(page, "playground (not answered)");

  // An API error is shown as the API words it.
  await page.route("**/api/v1/query", (route) =>
    route.fulfill({
      status: 429,
      headers: { "retry-after": "30" },
      json: {
        error: { code: "rate_limited", message: "Too many questions; try again in 30 seconds.", request_id: "x" },
      },
    }),
  );
  await question.press("Control+Enter");
  await expect(askRegion.getByRole("alert")).toHaveText("Too many questions; try again in 30 seconds.");
  await expect(page.getByRole("button", { name: "Ask" })).toBeEnabled();
  await page.unroute("**/api/v1/query");

  // A generative answer (Gemini writes Markdown): the bubbles show WhatsApp's formatting.
  await page.route("**/api/v1/query", (route) =>
    route.fulfill({
      json: {
        answer: "**Yes**, the cake is sold _only_ on Sundays.\n\n- 37 g of saffron\n- ~~Mondays~~",
        answered: true,
        sources: [
          { document_id: "d", filename: FILENAME, page: 2, chunk_id: "c", score: 0.8, excerpt: "The Zephyrine…" },
        ],
        mode: "generative",
        usage: { prompt_tokens: 10, output_tokens: 5, total_tokens: 15, embedding_calls: 1 },
        latency_ms: 1234,
        standalone_question: "When is the Zephyrine almond cake sold?",
      },
    }),
  );
  await question.fill("And when can I buy it?");
  await question.press("Control+Enter");
  await expect(page.getByTestId("answer-mode")).toHaveText("Generative (Gemini)");
  await expect(page.getByTestId("answer-latency")).toHaveText("1,234 ms");
  await expect(page.getByText(/Extractive mode/)).toHaveCount(0);
  await expect(page.getByText("When is the Zephyrine almond cake sold?")).toBeVisible();
  await expect(bubbles.first().locator("strong")).toHaveText("Yes");
  await expect(bubbles.first().locator("em")).toHaveText("only");
  await expect(bubbles.first().locator("s")).toHaveText("Mondays");
  await expect(bubbles.first()).toContainText("• 37 g of saffron");
  await expect(bubbles.first()).toContainText(`📄 ${FILENAME}, p. 2`);
  await page.unroute("**/api/v1/query");

  // An empty question is not sent.
  await question.fill("   ");
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(askRegion.getByRole("alert")).toHaveText("Type a question first.");
  await expect(question).toBeFocused();
  await expect(question).toHaveAttribute("aria-invalid", "true");
});

test("settings are saved, the ManyChat key is checked, the webhook secret rotates", async ({ page, consoleGuard }) => {
  // Refusals provoked on purpose: invalid values and a key ManyChat rejects.
  consoleGuard.allow(/status of 422 .*\/api\/v1\/customers\/me\]$/);
  await signUpViaApi(page.request, { email: uniqueEmail("settings"), company: uniqueCompany("Rossi Shoes") });
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/dashboard\/settings$/);
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expectAccessible(page, "settings (defaults)");

  // The company name: disabled while saving, then "Saved", and the header follows.
  const company = page.getByRole("region", { name: "Company" });
  await page.route("**/api/v1/customers/me", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  await company.getByLabel("Company name").fill("Rossi Shoes Milano");
  await company.getByRole("button", { name: "Save name" }).click();
  await expect(company.getByRole("button", { name: "Saving…" })).toBeDisabled();
  await expect(company.getByRole("status")).toHaveText(/Saved/);
  await page.unroute("**/api/v1/customers/me");
  await expect(page.getByTestId("workspace-name")).toHaveText("Rossi Shoes Milano");

  // Replies and language; an empty text is refused with a message on the field.
  const replies = page.getByRole("region", { name: "Replies" });
  const ack = replies.getByLabel("Acknowledgement text");
  const refusal = replies.getByLabel("Refusal text");
  await ack.fill("Thanks! Let me check our documents…");
  await replies.getByLabel("Default language").selectOption("en");
  await refusal.fill("");
  await replies.getByRole("button", { name: "Save replies" }).click();
  await expect(refusal).toHaveAttribute("aria-invalid", "true");
  await expect(refusal).toHaveAccessibleDescription(/This cannot be empty\./);
  await expect(replies.getByRole("alert")).toHaveText("Check the fields marked below.");
  await refusal.fill("Sorry, I cannot find that in our documents. A colleague will reply.");
  await replies.getByRole("button", { name: "Save replies" }).click();
  await expect(replies.getByRole("status")).toHaveText(/Saved/);
  await expect(refusal).not.toHaveAttribute("aria-invalid");

  // Numbers out of range are refused on their field; in range they are saved.
  const conversation = page.getByRole("region", { name: "Conversation" });
  const memory = conversation.getByLabel("Conversation memory (turns)");
  await memory.fill("30");
  await conversation.getByLabel("Burst window (seconds)").fill("5");
  await conversation.getByRole("button", { name: "Save conversation settings" }).click();
  await expect(memory).toHaveAccessibleDescription(/Use 20 or less\./);
  await memory.fill("4");
  await conversation.getByRole("button", { name: "Save conversation settings" }).click();
  await expect(conversation.getByRole("status")).toHaveText(/Saved/);

  // Fallback flow and outbound webhook.
  const flow = page.getByRole("region", { name: "Fallback flow" });
  await expect(flow).toContainText("24 hours");
  await flow.getByLabel("Flow namespace").fill("content20260101120000_123456");
  await flow.getByRole("button", { name: "Save fallback flow" }).click();
  await expect(flow.getByRole("status")).toHaveText(/Saved/);
  const outbound = page.getByRole("region", { name: "Outbound webhook" });
  const hookUrl = outbound.getByLabel("Your webhook URL");
  await hookUrl.fill("not a url");
  await outbound.getByRole("button", { name: "Save webhook URL" }).click();
  await expect(hookUrl).toHaveAccessibleDescription(/starting with https:\/\//);
  await hookUrl.fill("https://example.com/hooks/pdf-answers");
  await outbound.getByRole("button", { name: "Save webhook URL" }).click();
  await expect(outbound.getByRole("status")).toHaveText(/Saved/);

  // What the page shows after a reload comes from the server.
  await page.reload();
  await expect(ack).toHaveValue("Thanks! Let me check our documents…");
  await expect(replies.getByLabel("Default language")).toHaveValue("en");
  await expect(refusal).toHaveValue("Sorry, I cannot find that in our documents. A colleague will reply.");
  await expect(memory).toHaveValue("4");
  await expect(conversation.getByLabel("Burst window (seconds)")).toHaveValue("5");
  await expect(flow.getByLabel("Flow namespace")).toHaveValue("content20260101120000_123456");
  await expect(hookUrl).toHaveValue("https://example.com/hooks/pdf-answers");

  // ManyChat API key: checked with ManyChat (the fake) before it is stored.
  const manychat = page.getByRole("region", { name: "ManyChat API key" });
  const status = manychat.getByTestId("manychat-status");
  await expect(status).toHaveText("not connected");
  await expect(manychat.getByLabel("ManyChat API key")).toHaveAttribute("type", "password");
  await manychat.getByLabel("ManyChat API key").fill("123456:validtoken");
  await manychat.getByRole("button", { name: "Connect" }).click();
  await expect(status).toHaveText("connected (…oken, Test Page 123456)");
  await expect(manychat.getByRole("status")).toHaveText(/Saved/);
  await expect(manychat.getByLabel("New ManyChat API key")).toHaveValue("");

  const newKey = manychat.getByLabel("New ManyChat API key");
  await newKey.fill("123456:badtoken");
  await manychat.getByRole("button", { name: "Replace key" }).click();
  await expect(manychat.getByRole("alert")).toHaveText("ManyChat rejected this API key.");
  await expect(newKey).toHaveAccessibleDescription(/Wrong format token/);
  await expect(status).toHaveText("connected (…oken, Test Page 123456)");
  await expectAccessible(page, "settings (errors)");

  await page.reload();
  await expect(status).toHaveText("connected (…oken, Test Page 123456)");

  // The inbound webhook: what to paste into ManyChat, and a rotation that asks first.
  const inbound = page.getByRole("region", { name: /Inbound webhook/ });
  await expect(inbound.getByLabel("Webhook URL", { exact: true })).toHaveValue(/\/api\/v1\/webhook\/manychat$/);
  await expect(inbound.getByLabel("Header name", { exact: true })).toHaveValue("X-Webhook-Secret");
  await expect(inbound.getByLabel("Request body (JSON)")).toHaveValue(EXTERNAL_REQUEST_BODY);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await inbound.getByRole("button", { name: "Copy Request body" }).click();
  await expect(inbound.getByRole("button", { name: "Copied Request body" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(EXTERNAL_REQUEST_BODY);
  for (const label of ["Webhook URL", "Header name", "Webhook secret"]) {
    await expect(inbound.getByRole("button", { name: `Copy ${label}`, exact: true })).toBeVisible();
  }

  const secret = inbound.getByLabel("Webhook secret", { exact: true });
  const before = await secret.inputValue();
  expect(before.length).toBeGreaterThan(10);
  await inbound.getByRole("button", { name: "Rotate secret" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate the webhook secret?" });
  await expect(dialog).toContainText("paste the new secret");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectAccessible(page, "settings (rotate dialog)");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(secret).toHaveValue(before);

  await inbound.getByRole("button", { name: "Rotate secret" }).click();
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  await expect(inbound.getByRole("status").filter({ hasText: "Secret rotated" })).toBeVisible();
  await expect(secret).not.toHaveValue(before);
  const after = await secret.inputValue();
  expect(after.length).toBeGreaterThan(10);

  // The old secret is refused by the webhook at once; the new one is accepted.
  const webhook = (value: string) =>
    page.request.post("/api/v1/webhook/manychat", {
      headers: { "x-webhook-secret": value },
      data: { subscriber_id: "sub-1", text: "Hello" },
    });
  expect((await webhook(before)).status()).toBe(401);
  expect((await webhook(after)).status()).toBe(200);

  await page.reload();
  await expect(secret).toHaveValue(after);

  // Disconnect asks first, then sends null.
  await manychat.getByRole("button", { name: "Disconnect" }).click();
  const disconnect = page.getByRole("dialog", { name: "Disconnect ManyChat?" });
  await disconnect.getByRole("button", { name: "Disconnect" }).click();
  await expect(status).toHaveText("not connected");
  await expect(manychat.getByRole("status")).toHaveText(/Disconnected/);

  await manychat.getByLabel("ManyChat API key").fill("123456:validtoken");
  await manychat.getByRole("button", { name: "Connect" }).click();
  await expect(status).toHaveText("connected (…oken, Test Page 123456)");

  await expectAccessible(page, "settings (filled)");
  await screenshots(page, "settings", () => expect(status).toBeVisible());
});
