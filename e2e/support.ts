import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";

export { expect };

export const screenshotDir = path.join(import.meta.dirname, "screenshots");

/** Unique per run (each run also gets a fresh database), so names never collide. */
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
export const uniqueEmail = (label: string) => `${label}-${runId}@example.com`;
export const uniqueCompany = (label: string) => `${label} ${runId}`;
export const PASSWORD = "correct horse battery";

interface ConsoleGuard {
  /** Declares a console error this test provokes on purpose (e.g. the 401 of a wrong password). */
  allow(pattern: RegExp): void;
}

/**
 * Every test fails on a browser console error or an uncaught page error, unless the
 * test declared that exact message as expected.
 */
export const test = base.extend<{ consoleGuard: ConsoleGuard }>({
  consoleGuard: [
    async ({ page }, use, testInfo) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        const where = msg.location().url;
        errors.push(where ? `${msg.text()} [${where}]` : msg.text());
      });
      page.on("pageerror", (err) => errors.push(`Uncaught ${err.name}: ${err.message}`));
      await use({ allow: (pattern) => allowed.push(pattern) });
      const unexpected = errors.filter((e) => !allowed.some((p) => p.test(e)));
      if (errors.length > 0) await testInfo.attach("console-errors.txt", { body: errors.join("\n") });
      expect(unexpected, "browser console errors").toEqual([]);
    },
    { auto: true },
  ],
});

/** Runs axe on the current page; fails on serious or critical violations. */
export async function expectAccessible(page: Page, what: string) {
  // Dynamic pages stream their metadata: let the title arrive before judging it.
  await expect.poll(() => page.title(), { message: `the ${what} page has a title` }).not.toBe("");
  // Colours mid-transition (a button that just changed state) would be judged half-way.
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = results.violations.map(
    (v) =>
      `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
      v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`).join("\n"),
  );
  if (summary.length > 0) {
    await test.info().attach(`axe-${what}.txt`, { body: summary.join("\n") });
  }
  expect(
    blocking.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `serious/critical accessibility violations on the ${what} page`,
  ).toEqual([]);
}

/** Creates an account through the public API (the request context keeps its session cookie). */
export async function signUpViaApi(request: APIRequestContext, account: { email: string; company: string }) {
  const res = await request.post("/api/v1/auth/signup", {
    data: { email: account.email, password: PASSWORD, company_name: account.company },
  });
  expect(res.status(), await res.text()).toBe(201);
}

/** Fails when the page scrolls sideways (content wider than the viewport). */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "page is wider than the viewport").toBeLessThanOrEqual(0);
}
