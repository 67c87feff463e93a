import { textPdf } from "../tests/support/pdf-fixtures";
import { expect, expectAccessible, PASSWORD, signUpViaApi, test, uniqueCompany, uniqueEmail } from "./support";

// The global admin of e2e/admin.spec.ts (an address of ADMIN_EMAILS in playwright.config.ts).
const ADMIN_EMAIL = "ops-admin@example.test";

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

  test("the admin console speaks French to a global admin", async ({ page }) => {
    // Signs in as the global admin, creating the account on first use (admin.spec may be doing the same).
    const credentials = { email: ADMIN_EMAIL, password: PASSWORD };
    let login = await page.request.post("/api/v1/auth/login", { data: credentials });
    if (login.status() !== 200) {
      await page.request.post("/api/v1/auth/signup", {
        data: { ...credentials, company_name: uniqueCompany("Platform Ops") },
      });
      login = await page.request.post("/api/v1/auth/login", { data: credentials });
    }
    expect(login.status(), await login.text()).toBe(200);

    await page.goto("/admin");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { level: 1, name: "Espaces" })).toBeVisible();
    await expect(page).toHaveTitle(/^Administration · /);
    await expect(page.getByText("Administrateur global")).toBeVisible();
    await expect(page.getByLabel("Rechercher des espaces")).toBeVisible();
    await expect(page.getByRole("columnheader", { name: "Titulaire" })).toBeVisible();
    await expectAccessible(page, "admin-fr");

    await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Offres" }).click();
    await expect(page).toHaveURL(/\/admin\/plans$/);
    await expect(page.getByRole("heading", { level: 1, name: "Offres" })).toBeVisible();
    await expect(page).toHaveTitle(/^Offres · /);
    await expect(page.getByRole("columnheader", { name: "Prix / mois" })).toBeVisible();
    const form = page.getByRole("region", { name: "Nouvelle offre" });
    await form.getByRole("button", { name: "Créer l’offre" }).click();
    await expect(form.getByRole("alert")).toHaveText("Vérifiez les champs signalés ci-dessous.");
    await expect(form.getByLabel("Requêtes par mois")).toHaveAccessibleDescription(/Saisissez un nombre entier\./);
    await expectAccessible(page, "admin-plans-fr");
  });

  test("a new French workspace sees the checklist, the nav and Insights in French", async ({ page }) => {
    await signUpViaApi(page.request, { email: uniqueEmail("fr-home"), company: uniqueCompany("Crêperie") });
    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Bienvenue, Crêperie/);
    await expect(page).toHaveTitle(/^Tableau de bord · /);
    const nav = page.getByRole("navigation", { name: "Navigation principale" });
    for (const name of ["Vue d’ensemble", "Documents", "Bac à sable", "Conversations", "Statistiques", "Facturation"]) {
      await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
    }
    await expect(nav.getByRole("link", { name: "Réglages", exact: true })).toBeVisible();

    // The checklist: its heading, its progress, each step's state in words, the simulator.
    const checklist = page.getByTestId("setup-checklist");
    await expect(checklist.getByRole("heading", { level: 2 })).toHaveText("Configurez votre assistant WhatsApp");
    await expect(page.getByTestId("setup-progress")).toHaveText("0 étape terminée sur 4.");
    await expect(page.getByTestId("step-documents").getByRole("heading", { level: 3 })).toContainText(
      "Déposez votre premier PDF",
    );
    await expect(page.getByTestId("step-documents").getByRole("heading", { level: 3 })).toContainText("À faire");
    await expect(page.getByTestId("step-documents")).toContainText("jusqu’à 20 Mo et 200 pages");
    await expect(page.getByTestId("step-flow").getByLabel("URL du webhook")).toBeVisible();
    await expect(page.getByTestId("step-flow")).toContainText("Action → External Request");
    await expect(page.getByRole("button", { name: "Simuler un message WhatsApp" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Votre offre" })).toBeVisible();
    await expectAccessible(page, "dashboard-fr (checklist)");
    await page.getByRole("button", { name: "Simuler un message WhatsApp" }).click();
    await expect(page.getByTestId("step-test").getByRole("alert")).toHaveText("Saisissez d’abord un message.");

    // Insights: headings, the figures, the empty states.
    await nav.getByRole("link", { name: "Statistiques" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Statistiques" })).toBeVisible();
    await expect(page).toHaveTitle(/^Statistiques · /);
    await expect(page.getByRole("heading", { name: "30 derniers jours" })).toBeVisible();
    await expect(page.getByText("Messages reçus")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Questions sans réponse" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Documents les plus cités" })).toBeVisible();
    await expect(page.getByTestId("insight-empty")).toHaveCount(4);
    await expect(page.getByTestId("insight-empty").first()).toContainText("Aucune question pour l’instant.");
    await expectAccessible(page, "insights-fr (empty)");

    // A conversation's thread: its labels, statuses and explanations.
    const origin = new URL(page.url()).origin;
    const query = await page.request.post("/api/v1/query", {
      headers: { origin },
      data: { question: "Quels sont vos horaires d’ouverture ?" },
    });
    expect(query.status(), await query.text()).toBe(200);
    await nav.getByRole("link", { name: "Conversations" }).click();
    await page.getByRole("heading", { level: 3 }).getByRole("link").first().click();
    await expect(page.getByRole("link", { name: "Toutes les conversations" })).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Client /);
    await expect(page.getByTestId("conversation-channel")).toHaveText("Bac à sable");
    await expect(page.getByTestId("message-status").first()).toHaveText("Statut : Sans réponse");
    await expect(page.getByText("Vos documents ne couvrent pas cette question")).toBeVisible();
    await expectAccessible(page, "conversation-fr");
  });

  test("a suspended workspace sees only a notice, not its data", async ({ page, playwright, baseURL }) => {
    const company = uniqueCompany("Épicerie suspendue");
    const signup = await page.request.post("/api/v1/auth/signup", {
      data: { email: uniqueEmail("fr-suspended"), password: PASSWORD, company_name: company },
    });
    expect(signup.status(), await signup.text()).toBe(201);
    const customerId = (await signup.json()).customer.id as string;

    // The global admin suspends it through the API.
    const admin = await playwright.request.newContext({ baseURL });
    const login = async () => admin.post("/api/v1/auth/login", { data: { email: ADMIN_EMAIL, password: PASSWORD } });
    let session = await login();
    if (session.status() !== 200) {
      const created = await admin.post("/api/v1/auth/signup", {
        data: { email: ADMIN_EMAIL, password: PASSWORD, company_name: uniqueCompany("Platform Ops") },
      });
      session = created.status() === 201 ? created : await login();
    }
    const token = (await session.json()).access_token as string;
    const suspended = await admin.post(`/api/v1/admin/customers/${customerId}/suspend`, {
      headers: { authorization: `Bearer ${token}` },
      data: { reason: "E2E i18n check" },
    });
    expect(suspended.status(), await suspended.text()).toBe(200);
    await admin.dispose();

    for (const path of ["/dashboard", "/dashboard/insights", "/dashboard/conversations"]) {
      await page.goto(path);
      const notice = page.getByRole("status").filter({ hasText: "Cet espace est suspendu" });
      await expect(notice).toBeVisible();
      await expect(notice).toContainText("Contactez le support");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cet espace est suspendu");
      await expect(page.getByText(company)).toHaveCount(0);
      await expect(page.getByTestId("setup-checklist")).toHaveCount(0);
    }
    await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
    await expectAccessible(page, "dashboard-fr (suspended)");
    // Not even in the page's payload: the home page reads nothing of a suspended workspace.
    expect(await (await page.request.get("/dashboard")).text()).not.toContain(company);
  });
});
