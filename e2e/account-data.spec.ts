import {
  expect,
  expectAccessible,
  PASSWORD,
  screenshotDir,
  signUpViaApi,
  test,
  uniqueCompany,
  uniqueEmail,
} from "./support";

test("downloads all its data, then deletes the workspace after typing its name", async ({ page, consoleGuard }) => {
  // The login refused after the deletion is the point: Chromium logs its 403.
  consoleGuard.allow(/status of 403 .*\/api\/v1\/auth\/login\]$/);
  const email = uniqueEmail("leaving");
  const company = uniqueCompany("Leaving Soon");
  await signUpViaApi(page.request, { email, company });
  await page.goto("/dashboard/settings");
  const data = page.getByRole("region", { name: "Your data" });
  await expect(data).toBeVisible();

  // The export is a ZIP archive of everything.
  const downloading = page.waitForEvent("download");
  await data.getByRole("link", { name: "Download all data (ZIP)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^pdf-answers-export-\d{4}-\d{2}-\d{2}\.zip$/);
  const stream = await download.createReadStream();
  const first = await new Promise<Buffer>((resolve) => stream.once("data", (c) => resolve(c as Buffer)));
  expect(first.subarray(0, 2).toString("latin1")).toBe("PK");

  // Deleting asks for the workspace's name and says what will happen.
  await data.getByRole("button", { name: "Delete workspace…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this workspace?" });
  await expect(dialog).toContainText("30 days");
  await expectAccessible(page, "settings (delete workspace dialog)");
  await page.screenshot({ path: `${screenshotDir}/settings-delete-dialog.png`, fullPage: true });
  const confirm = dialog.getByRole("button", { name: "Delete workspace" });
  await dialog.getByLabel(/Type the workspace name/).fill("not the name");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type the workspace name/).fill(company);
  await confirm.click();

  await expect(page).toHaveURL(/\/login\?deleted=1$/);
  await expect(page.getByRole("status")).toHaveText(/Your workspace was deleted/);
  // The session went with it; signing in again is refused with the reason.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("deleted");
});
