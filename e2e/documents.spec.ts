import path from "node:path";
import type { Page } from "@playwright/test";
import { encryptedPdf, largePdf, manyPagesPdf, notAPdf, textPdf } from "../tests/support/pdf-fixtures";
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

const pdf = (name: string, bytes: Uint8Array) => ({ name, mimeType: "application/pdf", buffer: Buffer.from(bytes) });

const priceList = textPdf([
  "# Price list 2026\n\nThe espresso machine costs 499 EUR. Delivery within Italy is free for orders over 50 EUR.",
]);

/** One document's card, found by its file name (the card is named after it). */
const card = (page: Page, filename: string) => page.getByRole("listitem", { name: filename, exact: true });
const uploadsList = (page: Page) => page.getByRole("list", { name: "Uploads" });

async function openDocumentsPage(page: Page, label: string) {
  await signUpViaApi(page.request, { email: uniqueEmail(label), company: uniqueCompany(`${label} Shop`) });
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Documents" }).click();
  await expect(page).toHaveURL(/\/dashboard\/documents$/);
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
}

test("uploads PDFs with progress, explains every refusal and failure", async ({ page, consoleGuard }) => {
  // Chromium logs every non-2xx response as a console error; these refusals are the point.
  consoleGuard.allow(/status of (409|415|422) .*\/api\/v1\/documents\/upload\]$/);
  consoleGuard.allow(/net::ERR_FAILED \[.*\/api\/v1\/documents\/upload\]$/);
  await openDocumentsPage(page, "docs");

  // Empty state: what to upload, the limits, and how the documents are used.
  await expect(page.getByRole("heading", { name: "No documents yet" })).toBeVisible();
  await expect(page.getByText(/product catalogues, price lists, FAQs, manuals/)).toBeVisible();
  await expect(page.getByText(/up to 20 MB and 200 pages/).first()).toBeVisible();
  await expect(page.getByText(/need OCR/)).toBeVisible();
  await expectAccessible(page, "documents (empty)");

  const input = page.getByLabel("Choose PDF files");
  await expect(input).toHaveAttribute("type", "file");
  await expect(input).toHaveAttribute("accept", /application\/pdf/);

  // A one-page PDF is read and becomes "Processed" with 1 page.
  await input.setInputFiles(pdf("price-list.pdf", priceList));
  const price = card(page, "price-list.pdf");
  await expect(price.getByTestId("document-status")).toHaveText(/Processed/, { timeout: 30_000 });
  await expect(price).toContainText(/(?<!\d)1 page\b/);
  await expect(price).toContainText(/ \d+ passages?\b/);
  await expect(page.getByRole("heading", { name: "No documents yet" })).toHaveCount(0);

  // A 30-page PDF: watch the page progress (record every progress text the page shows).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      for (const m of (document.body.textContent ?? "").matchAll(
        /(Reading page \d+ of 30|Waiting to read 30 pages)/g,
      )) {
        if (!seen.includes(m[0])) seen.push(m[0]);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await input.setInputFiles(pdf("catalogue.pdf", manyPagesPdf(30)));
  const catalogue = card(page, "catalogue.pdf");
  const pagesBar = catalogue.getByRole("progressbar");
  // Accepted uploads start queued, with a page progress bar out of the 30 pages.
  await expect(pagesBar).toHaveAttribute("max", "30");
  await expect(pagesBar).toHaveAccessibleName(/catalogue\.pdf (Waiting to read 30 pages|Reading page \d+ of 30)/);
  await expect(catalogue.getByTestId("document-status")).toHaveText(/Processed/, { timeout: 30_000 });
  await expect(catalogue).toContainText(/(?<!\d)30 pages\b/);
  await expect(pagesBar).toHaveCount(0);
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  test.info().annotations.push({ type: "pages progress seen", description: seen.join(" | ") });
  expect(seen.length, "the page progress was shown").toBeGreaterThan(0);

  // Several files at once: a text file named .pdf is refused, an encrypted PDF fails visibly.
  await input.setInputFiles([pdf("notes.pdf", notAPdf()), pdf("locked-prices.pdf", encryptedPdf())]);
  await expect(uploadsList(page).getByRole("alert")).toContainText("This file is not a PDF");
  const locked = card(page, "locked-prices.pdf");
  await expect(locked.getByTestId("document-status")).toHaveText(/Failed/);
  await expect(locked).toContainText("password protected");
  await expect(locked).toContainText("To fix it: delete this entry");
  await page.getByRole("button", { name: "Dismiss notes.pdf" }).click();
  await expect(uploadsList(page)).toHaveCount(0);

  // The same bytes under another name: the duplicate is named.
  await input.setInputFiles(pdf("price-list-copy.pdf", priceList));
  await expect(uploadsList(page).getByRole("alert")).toHaveText('This file is already uploaded as "price-list.pdf".');
  await page.getByRole("button", { name: "Dismiss price-list-copy.pdf" }).click();

  // Over 200 pages.
  await input.setInputFiles(pdf("huge-catalogue.pdf", manyPagesPdf(201)));
  await expect(uploadsList(page).getByRole("alert")).toContainText("201 pages; the limit is 200");
  await page.getByRole("button", { name: "Dismiss huge-catalogue.pdf" }).click();

  // The network drops: say so, and let the person retry.
  await page.route("**/api/v1/documents/upload", (route) => route.abort("failed"));
  await input.setInputFiles(pdf("faq.pdf", textPdf(["# FAQ\n\nWe open at 8 am from Monday to Saturday."])));
  await expect(uploadsList(page).getByRole("alert")).toHaveText(
    "Could not reach the server. Check your connection and try again.",
  );
  await page.unroute("**/api/v1/documents/upload");
  await page.getByRole("button", { name: "Retry faq.pdf" }).click();
  await expect(card(page, "faq.pdf").getByTestId("document-status")).toHaveText(/Processed/, { timeout: 30_000 });
  await expect(uploadsList(page)).toHaveCount(0);

  await expect(page.getByRole("heading", { name: /Your documents/ })).toContainText("(4)");
  await expectAccessible(page, "documents (filled)");
  await page.screenshot({ path: path.join(screenshotDir, "documents-desktop.png"), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(card(page, "catalogue.pdf")).toBeVisible();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, "documents (phone)");
  await page.screenshot({ path: path.join(screenshotDir, "documents-phone.png"), fullPage: true });

  // What the page shows after a reload comes from the server, not from memory.
  await page.reload();
  await expect(card(page, "locked-prices.pdf")).toContainText("password protected");
  await expect(card(page, "catalogue.pdf")).toContainText(/(?<!\d)30 pages\b/);
});

test("deletes a document after confirming in a dialog", async ({ page }) => {
  await openDocumentsPage(page, "delete");
  const input = page.getByLabel("Choose PDF files");
  await input.setInputFiles(pdf("manual.pdf", textPdf(["# Manual\n\nPress the red button for three seconds."])));
  await expect(card(page, "manual.pdf").getByTestId("document-status")).toHaveText(/Processed/, { timeout: 30_000 });

  // The drop zone takes files too.
  const bytes = Array.from(textPdf(["# Opening hours\n\nMonday to Friday, 9 to 18."]));
  const dataTransfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], "hours.pdf", { type: "application/pdf" }));
    return dt;
  }, bytes);
  await page.getByTestId("drop-zone").dispatchEvent("dragover", { dataTransfer });
  await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer });
  await expect(card(page, "hours.pdf").getByTestId("document-status")).toHaveText(/Processed/, { timeout: 30_000 });

  // Cancel (and Escape) keep the document.
  const deleteManual = page.getByRole("button", { name: "Delete manual.pdf" });
  await deleteManual.click();
  const dialog = page.getByRole("dialog", { name: "Delete manual.pdf?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectAccessible(page, "documents (delete dialog)");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(deleteManual).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(card(page, "manual.pdf")).toBeVisible();

  // Delete: gone at once, and still gone after a reload.
  await deleteManual.click();
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(card(page, "manual.pdf")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: /Your documents/ })).toBeFocused();
  await expect(page.getByRole("status").filter({ hasText: "manual.pdf" })).toHaveText("manual.pdf deleted.");
  await page.reload();
  await expect(card(page, "hours.pdf")).toBeVisible();
  await expect(card(page, "manual.pdf")).toHaveCount(0);

  // The last one: the empty state comes back.
  await page.getByRole("button", { name: "Delete hours.pdf" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("heading", { name: "No documents yet" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "No documents yet" })).toBeVisible();
});

test("shows the bytes going up, and an upload can be cancelled", async ({ page }) => {
  await openDocumentsPage(page, "bytes");
  // A slow uplink (Chromium only), so the byte progress can be watched.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: 10_000_000,
    uploadThroughput: 1_500_000,
  });
  const input = page.getByLabel("Choose PDF files");
  const bar = uploadsList(page).getByRole("progressbar", { name: /^Uploading scan-archive\.pdf: \d+%$/ });

  // Cancelled half-way: nothing is stored.
  await input.setInputFiles(pdf("scan-archive.pdf", largePdf(3_000_000)));
  await expect
    .poll(async () => Number(await bar.getAttribute("value")), { message: "some bytes were sent" })
    .toBeGreaterThan(0);
  await page.getByRole("button", { name: "Cancel upload of scan-archive.pdf" }).click();
  await expect(uploadsList(page)).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "No documents yet" })).toBeVisible();

  // Sent to the end: the bar moves between empty and full, then the document is read.
  await input.setInputFiles(pdf("scan-archive.pdf", largePdf(3_000_000)));
  const max = Number(await bar.getAttribute("max"));
  expect(max).toBeGreaterThan(3_000_000);
  await expect
    .poll(async () => Number(await bar.getAttribute("value")), { message: "the upload is part-way" })
    .toBeGreaterThan(0);
  expect(Number(await bar.getAttribute("value"))).toBeLessThan(max);
  await expect(card(page, "scan-archive.pdf").getByTestId("document-status")).toHaveText(/Processed/, {
    timeout: 30_000,
  });
  await expect(uploadsList(page)).toHaveCount(0);
  await page.reload();
  await expect(card(page, "scan-archive.pdf")).toContainText(/(?<!\d)2 pages\b/);
});
