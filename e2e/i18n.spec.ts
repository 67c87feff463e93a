import { textPdf } from "../tests/support/pdf-fixtures";
import { expect, expectAccessible, signUpViaApi, test, uniqueCompany, uniqueEmail } from "./support";

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

  test("Documents, Playground and Settings are in French, from their headings to their buttons", async ({
    page,
    consoleGuard,
  }) => {
    // The out-of-range number below is refused on purpose: Chromium logs the 422.
    consoleGuard.allow(/status of 422 .*\/api\/v1\/customers\/me\]$/);
    await signUpViaApi(page.request, { email: uniqueEmail("fr-pages"), company: uniqueCompany("Fromagerie") });

    // Documents: the empty state, the upload zone, a processed document and its delete dialog.
    await page.goto("/dashboard/documents");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Aucun document pour l’instant" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Déposer des PDF" })).toBeVisible();
    await expect(page.getByText(/jusqu’à 20 Mo et 200 pages/).first()).toBeVisible();
    await expectAccessible(page, "documents-fr (empty)");
    const input = page.getByLabel("Choisir des fichiers PDF");
    await input.setInputFiles({
      name: "tarifs.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from(textPdf(["# Tarifs\n\nLa machine à espresso coûte 499 EUR."])),
    });
    const card = page.getByRole("listitem", { name: "tarifs.pdf", exact: true });
    await expect(card.getByTestId("document-status")).toHaveText(/Statut : Traité/, { timeout: 30_000 });
    await expect(card).toContainText(/(?<!\d)1 page\b/);
    await expect(card).toContainText("Déposé le");
    await expect(page.getByRole("heading", { name: /Vos documents/ })).toContainText("(1)");
    await page.getByRole("button", { name: "Supprimer tarifs.pdf" }).click();
    const dialog = page.getByRole("dialog", { name: "Supprimer tarifs.pdf ?" });
    await expect(dialog.getByRole("button", { name: "Annuler" })).toBeFocused();
    await expect(dialog.getByRole("button", { name: "Supprimer", exact: true })).toBeVisible();
    await expectAccessible(page, "documents-fr (delete dialog)");
    await dialog.getByRole("button", { name: "Annuler" }).click();
    await expect(dialog).toHaveCount(0);

    // Playground: the form, a refusal before any round trip, then an answer with its details.
    await page.goto("/dashboard/playground");
    await expect(page.getByRole("heading", { level: 1, name: "Bac à sable" })).toBeVisible();
    await expect(page).toHaveTitle(/^Bac à sable · /);
    await expect(page.getByRole("heading", { name: "Poser une question" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Aucune question posée pour l’instant" })).toBeVisible();
    await expect(page.getByText("1 document traité est consulté.")).toBeVisible();
    const ask = page.getByRole("button", { name: "Demander" });
    await ask.click();
    await expect(page.getByRole("region", { name: "Poser une question" }).getByRole("alert")).toHaveText(
      "Saisissez d’abord une question.",
    );
    await expectAccessible(page, "playground-fr (empty)");
    await page.getByLabel("Question du client").fill("Combien coûte la machine à espresso ?");
    await ask.click();
    await expect(page.getByRole("heading", { name: "Réponse", exact: true })).toBeVisible();
    await expect(page.getByTestId("answer-mode")).toHaveText("Extractif");
    await expect(page.getByText("Temps de réponse")).toBeVisible();
    await expect(page.getByRole("heading", { name: /^Sources \(\d+\)$/ })).toBeVisible();
    await expectAccessible(page, "playground-fr (answered)");

    // Settings: section headings, labels and buttons; a save says so in French.
    await page.goto("/dashboard/settings");
    await expect(page.getByRole("heading", { level: 1, name: "Réglages" })).toBeVisible();
    await expect(page).toHaveTitle(/^Réglages · /);
    const company = page.getByRole("region", { name: "Entreprise", exact: true });
    await company.getByLabel("Nom de l’entreprise").fill(uniqueCompany("Fromagerie Dupont"));
    await company.getByRole("button", { name: "Enregistrer le nom" }).click();
    await expect(company.getByRole("status")).toHaveText(/Enregistré/);
    const replies = page.getByRole("region", { name: "Réponses", exact: true });
    await expect(replies.getByLabel("Texte de refus")).toBeVisible();
    await expect(replies.getByLabel("Langue par défaut").locator("option[value=en]")).toHaveText("Anglais (English)");
    await expect(replies.getByRole("button", { name: "Enregistrer les réponses" })).toBeVisible();
    const conversation = page.getByRole("region", { name: "Conversation", exact: true });
    await conversation.getByLabel("Mémoire de la conversation (échanges)").fill("30");
    await conversation.getByRole("button", { name: "Enregistrer les réglages de conversation" }).click();
    await expect(conversation.getByRole("alert")).toHaveText("Vérifiez les champs signalés ci-dessous.");
    await expect(conversation.getByLabel("Mémoire de la conversation (échanges)")).toHaveAccessibleDescription(
      /Saisissez 20 ou moins\./,
    );
    await expect(page.getByRole("region", { name: "Flux de secours" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Webhook sortant" })).toBeVisible();
    await expectAccessible(page, "settings-fr");
  });
});
