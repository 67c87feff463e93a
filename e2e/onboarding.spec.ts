import path from "node:path";
import type { Locator, Page } from "@playwright/test";
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

// A new business goes through the dashboard's setup checklist end to end: upload a PDF,
// connect ManyChat (the fake accepts "<page_id>:<token>"), paste the External Request
// values into "ManyChat", simulate a WhatsApp message through the real pipeline, then
// reads its insights. This server has no Gemini key: answers are extractive passages.

const FILENAME = "harbour-bakery.pdf";
const handbook = textPdf([
  "# Opening hours\n\nThe Harbour Bakery opens at 7:30 every morning and closes at 19:00, except on Mondays.",
  "# Signature cakes\n\nThe Zephyrine almond cake is baked with exactly 37 grams of Kashmir saffron and sold only on Sundays.",
]);
const QUESTION = "How many grams of saffron go into the Zephyrine almond cake?";
const OFF_TOPIC = "Do you deliver wedding flowers to Norway?";

const step = (page: Page, key: "documents" | "manychat" | "flow" | "test") => page.getByTestId(`step-${key}`);

async function expectStep(page: Page, key: Parameters<typeof step>[1], state: "done" | "todo") {
  const item = step(page, key);
  await expect(item).toHaveAttribute("data-state", state);
  // Said in words, not by colour: the step's heading ends with its state.
  await expect(item.getByRole("heading", { level: 3 })).toContainText(state === "done" ? "Done" : "To do");
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

async function copied(page: Page, scope: Locator, label: string): Promise<string> {
  await scope.getByRole("button", { name: `Copy ${label}`, exact: true }).click();
  await expect(scope.getByRole("button", { name: `Copied ${label}`, exact: true })).toBeVisible();
  return page.evaluate(() => navigator.clipboard.readText());
}

test("a new business walks the setup checklist, simulates a WhatsApp message, then reads its insights", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const company = uniqueCompany("Harbour Bakery");

  // Sign up: the dashboard opens on the checklist, nothing done yet.
  await page.goto("/signup");
  await page.getByLabel("Company name", { exact: true }).fill(company);
  await page.getByLabel("Email", { exact: true }).fill(uniqueEmail("onboarding"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  const checklist = page.getByRole("region", { name: "Set up your WhatsApp assistant" });
  await expect(checklist).toBeVisible();
  await expect(page.getByTestId("setup-progress")).toHaveText("0 of 4 steps done.");
  for (const key of ["documents", "manychat", "flow", "test"] as const) await expectStep(page, key, "todo");
  await expect(checklist.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 3 }) })).toHaveCount(4);
  await expectAccessible(page, "dashboard checklist (new)");
  await screenshots(page, "onboarding-start", () => expect(checklist).toBeVisible());

  // 1. Upload a first PDF, from the step's link.
  await step(page, "documents").getByRole("link", { name: "Upload a PDF" }).click();
  await expect(page).toHaveURL(/\/dashboard\/documents$/);
  await page.getByLabel("Choose PDF files").setInputFiles({
    name: FILENAME,
    mimeType: "application/pdf",
    buffer: Buffer.from(handbook),
  });
  await expect(page.getByRole("listitem", { name: FILENAME, exact: true }).getByTestId("document-status")).toHaveText(
    /Processed/,
    { timeout: 30_000 },
  );
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expectStep(page, "documents", "done");
  await expect(step(page, "documents")).toContainText("1 document is ready to answer from.");
  await expect(page.getByTestId("setup-progress")).toHaveText("1 of 4 steps done.");

  // 2. Connect ManyChat: the step leads to the Settings form, which checks the key.
  await step(page, "manychat").getByRole("link", { name: "Connect ManyChat in Settings" }).click();
  await expect(page).toHaveURL(/\/dashboard\/settings#manychat-key-heading$/);
  const manychat = page.getByRole("region", { name: "ManyChat API key" });
  await manychat.getByLabel("ManyChat API key").fill("123456:validtoken");
  await manychat.getByRole("button", { name: "Connect" }).click();
  await expect(manychat.getByTestId("manychat-status")).toHaveText("connected (…oken, Test Page 123456)");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expectStep(page, "manychat", "done");
  await expect(step(page, "manychat").getByTestId("checklist-manychat-page")).toHaveText("Test Page 123456");
  await expect(page.getByTestId("setup-progress")).toHaveText("2 of 4 steps done.");

  // 3. The flow: a numbered guide and the four values, each with a copy button.
  const flow = step(page, "flow");
  const guide = flow.getByRole("list").first();
  await expect(guide.getByRole("listitem")).toHaveCount(5);
  await expect(guide).toContainText("External Request");
  await expect(flow.getByLabel("Webhook secret", { exact: true })).toHaveAttribute("type", "password");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const url = await copied(page, flow, "Webhook URL");
  const header = await copied(page, flow, "Header name");
  const secret = await copied(page, flow, "Webhook secret");
  const body = await copied(page, flow, "Request body");
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/webhook\/manychat$/);
  expect(header).toBe("X-Webhook-Secret");
  expect(secret).toMatch(/^whsec_/);
  expect(JSON.parse(body)).toEqual({
    subscriber_id: "{{user_id}}",
    text: "{{last_input_text}}",
    first_name: "{{first_name}}",
    phone: "{{phone}}",
  });
  await expectAccessible(page, "dashboard checklist (flow)");

  // 4. Simulate a WhatsApp message: the real pipeline, the reply rendered as WhatsApp would.
  const test4 = step(page, "test");
  const simulateButton = test4.getByRole("button", { name: /^(Simulate a WhatsApp message|Simulating…)$/ });
  await test4.getByLabel("Customer message").fill(QUESTION);
  await simulateButton.click();
  await expect(simulateButton).toHaveText("Simulating…");
  await expect(simulateButton).toBeDisabled();
  await expect(test4.getByRole("status").filter({ hasText: "burst window" })).toContainText("Waiting 3 s");
  const phone = test4.getByRole("list", { name: "WhatsApp messages" });
  await expect(phone).toBeVisible({ timeout: 30_000 });
  await expect(phone.getByRole("listitem").first()).toContainText(QUESTION);
  await expect(test4.getByTestId("whatsapp-ack")).toHaveText(/OK, bien reçu/);
  const reply = test4.getByTestId("whatsapp-bubble");
  await expect(reply).toHaveCount(1);
  await expect(reply).toContainText("37 grams of Kashmir saffron");
  await expect(reply).toContainText(`📄 ${FILENAME}, p. 2`);
  await expect(test4.getByTestId("simulator-outcome")).toContainText("Answered from your documents");
  await expect(test4.getByTestId("simulator-outcome")).toContainText("Not sent through ManyChat");
  await expect(simulateButton).toHaveText("Simulate a WhatsApp message");
  // The page refreshes its checklist: the test message step is done, the flow still waits for ManyChat.
  await expectStep(page, "test", "done");
  await expectStep(page, "flow", "todo");
  await expect(page.getByTestId("setup-progress")).toHaveText("3 of 4 steps done.");
  // The simulated reply is still on screen after the refresh.
  await expect(reply).toContainText("37 grams of Kashmir saffron");
  await expectAccessible(page, "dashboard checklist (simulated)");
  await screenshots(page, "onboarding-simulated", () => expect(phone).toBeVisible());

  // ManyChat's External Request, sent exactly as configured with the copied values (its
  // variables filled in): the acknowledgement comes back, and the flow step is done.
  const delivery = JSON.parse(
    body
      .replace("{{user_id}}", "wa-1001")
      .replace("{{last_input_text}}", OFF_TOPIC)
      .replace("{{first_name}}", "Ingrid")
      .replace("{{phone}}", "+47 912 34 567"),
  ) as Record<string, string>;
  const ack = await page.request.post(url, { headers: { [header]: secret }, data: delivery });
  expect(ack.status(), await ack.text()).toBe(200);
  expect(await ack.json()).toMatchObject({
    version: "v2",
    content: { type: "whatsapp", messages: [{ type: "text", text: "OK, bien reçu" }] },
    status: "accepted",
  });
  await expect
    .poll(
      async () => {
        const res = await page.request.get("/api/v1/messages?subscriber_id=wa-1001");
        const { items } = (await res.json()) as { items: { direction: string; status: string }[] };
        return items.find((m) => m.direction === "inbound")?.status;
      },
      { message: "the delivered message is answered", timeout: 20_000 },
    )
    .toBe("unanswered");

  await page.reload();
  const done = page.getByRole("region", { name: "Your WhatsApp assistant is set up" });
  await expect(done).toBeVisible();
  await expect(page.getByTestId("setup-progress")).toHaveText(
    "All 4 steps are done: your customers' questions are answered from your PDFs.",
  );
  for (const key of ["documents", "manychat", "flow", "test"] as const) await expectStep(page, key, "done");
  await expect(step(page, "flow")).toContainText("ManyChat reached your webhook on");
  const overview = page.getByRole("region", { name: "Last 30 days" });
  await expect(overview).toContainText("Messages received");
  await expectAccessible(page, "dashboard checklist (complete)");
  await screenshots(page, "onboarding-complete", () => expect(done).toBeVisible());

  // Done: the checklist can be hidden, and brought back.
  await done.getByRole("button", { name: "Hide the checklist" }).click();
  await expect(done).toHaveCount(0);
  await expect(overview.getByRole("button", { name: "Show the setup checklist" })).toBeVisible();
  await page.reload();
  await expect(done).toHaveCount(0);
  await expect(page.getByTestId("plan-name")).toHaveText("Free");

  // The simulated conversation is recorded, its reply marked as never sent.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversations" }).click();
  await page.getByRole("link", { name: "WhatsApp simulator", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "WhatsApp simulator" })).toBeVisible();
  await expect(page.getByTestId("message-status").filter({ hasText: "Shown in the simulator" })).toHaveCount(1);

  // Insights: the unanswered question, the day's messages, answer times, the cited PDF.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Insights" }).click();
  await expect(page).toHaveURL(/\/dashboard\/insights$/);
  await expect(page.getByRole("heading", { level: 1, name: "Insights" })).toBeVisible();
  await expect(page.getByTestId("insight-received")).toHaveText("2");
  await expect(page.getByTestId("insight-answered")).toHaveText("1 (50%)");
  await expect(page.getByTestId("insight-unanswered")).toHaveText("1");
  await expect(page.getByTestId("insight-latency")).toHaveText(/^\d+(\.\d)? m?s$/);
  const unanswered = page.getByTestId("unanswered-table");
  await expect(unanswered.getByRole("row")).toHaveCount(2);
  await expect(unanswered.getByRole("rowheader", { name: OFF_TOPIC })).toBeVisible();
  await expect(unanswered.getByRole("row").nth(1)).toContainText("1");
  const volume = page.getByRole("img", { name: /^Messages received per day/ });
  await expect(volume).toHaveAccessibleName(/2 in all, 1 answered, 1 not covered by the documents, 0 failed/);
  await expect(page.getByRole("img", { name: /^Time to answer per day/ })).toBeVisible();
  const volumeSection = page.getByRole("region", { name: "Messages per day" });
  await volumeSection.getByText("Show the figures as a table").click();
  const lastDay = volumeSection.getByRole("table").getByRole("row").last();
  await expect(lastDay.getByRole("cell").first()).toHaveText("2");
  const cited = page.getByRole("region", { name: "Most cited documents" });
  await expect(cited.getByRole("listitem")).toHaveCount(1);
  await expect(cited.getByRole("listitem")).toContainText(FILENAME);
  await expect(cited.getByRole("listitem")).toContainText("1 answer");
  await expect(cited.getByRole("listitem")).toContainText("Most cited page: 2");
  await expectAccessible(page, "insights");
  await screenshots(page, "insights", () => expect(volume).toBeVisible());
});

test("a new workspace's insights say what will appear there", async ({ page }) => {
  await signUpViaApi(page.request, { email: uniqueEmail("insights"), company: uniqueCompany("Quiet Shop") });
  await page.goto("/dashboard/insights");
  await expect(page.getByRole("heading", { level: 1, name: "Insights" })).toBeVisible();
  await expect(page.getByTestId("insight-received")).toHaveText("0");
  await expect(page.getByTestId("insight-latency")).toHaveText("–");
  await expect(page.getByTestId("insight-empty")).toHaveCount(4);
  await expect(page.getByRole("region", { name: "Unanswered questions" })).toContainText(
    "No question yet. Questions your documents cannot answer will be listed here.",
  );
  await expect(page.getByRole("img")).toHaveCount(0);
  await expectAccessible(page, "insights (empty)");
  await screenshots(page, "insights-empty", () => expect(page.getByTestId("insight-received")).toBeVisible());
});
