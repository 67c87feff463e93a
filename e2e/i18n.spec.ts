import { expect, expectAccessible, test, uniqueCompany, uniqueEmail } from "./support";

test.describe("in a French browser", () => {
  test.use({ locale: "fr-FR" });

  test("the UI speaks French, and the switcher changes it for the next pages too", async ({ page, consoleGuard }) => {
    // Chromium logs every non-2xx fetch as a console error; the wrong password's 401 is on purpose.
    consoleGuard.allow(/status of 401 .*\/api\/v1\/auth\/login\]$/);
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Vos clients WhatsApp/);
    await expectAccessible(page, "landing-fr");

    await page.getByRole("link", { name: "Essai gratuit" }).click();
    await expect(page.getByRole("heading", { name: "Créer votre espace" })).toBeVisible();
    // Mistakes are explained in French, before any round trip.
    await page.getByRole("button", { name: "Créer l’espace" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Corrigez les champs signalés.");
    await expect(page.getByText("Nom de l’entreprise : obligatoire.")).toBeVisible();

    await page.getByLabel("Langue").selectOption("en");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { name: "Create your workspace" })).toBeVisible();
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();

    await page.getByLabel("Language").selectOption("fr");
    await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
    await page.getByLabel("E-mail").fill(uniqueEmail("nobody"));
    await page.getByLabel("Mot de passe").fill("not the password at all");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("E-mail ou mot de passe incorrect.");
  });

  test("a new workspace's dashboard header is in French", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Nom de l’entreprise").fill(uniqueCompany("Boulangerie"));
    await page.getByLabel("E-mail").fill(uniqueEmail("fr-owner"));
    await page.getByLabel("Mot de passe").fill("un mot de passe assez long");
    await page.getByRole("button", { name: "Créer l’espace" }).click();
    await page.waitForURL("**/dashboard");
    await expect(page.getByRole("navigation", { name: "Navigation principale" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
  });
});
