import { afterEach, describe, expect, it, vi } from "vitest";
import { contentBombPdf, fontBombPdf, nulTextPdf } from "@/tests/support/hostile-pdfs";
import { encryptedPdf, manyPagesPdf } from "@/tests/support/pdf-fixtures";

// The PDF reader process (pdf-text.ts, pdf-worker.mjs): its verdicts and its limits.
// Each test loads a fresh copy with its own limits (lib/config.ts reads them once).
async function reader(env: Record<string, string> = {}) {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return import("./pdf-text");
}
afterEach(() => {
  vi.unstubAllEnvs();
});

async function readAll(bytes: Uint8Array, env: Record<string, string> = {}) {
  const { readPdfPages } = await reader(env);
  const pages: string[] = [];
  let total = 0;
  for await (const e of readPdfPages(bytes)) {
    if (e.type === "opened") total = e.pages;
    else pages.push(e.text);
  }
  return { total, pages };
}

describe("the PDF reader process", () => {
  it("reads a 200-page PDF page by page and counts pages", async () => {
    const pdf = manyPagesPdf(200);
    const { total, pages } = await readAll(pdf);
    expect(total).toBe(200);
    expect(pages).toHaveLength(200);
    expect(pages[136]).toContain("Fact 411: the part number for item 411 is P-411.");
    const { countPdfPages } = await reader();
    expect(await countPdfPages(pdf)).toBe(200);
  });

  it("cleans NUL characters out of the text", async () => {
    const { pages } = await readAll(nulTextPdf());
    expect(pages).toEqual(["Opening hours of the Nulport shop: from 9 to 17 every day."]);
  });

  it("refuses password-protected and broken files with a reason", async () => {
    const { countPdfPages } = await reader();
    await expect(countPdfPages(encryptedPdf())).rejects.toMatchObject({ reason: "password_protected" });
    await expect(countPdfPages(new TextEncoder().encode("%PDF-1.4 nothing"))).rejects.toMatchObject({
      reason: "unreadable",
    });
  });

  it("kills a reader that passes its memory limit: content and font bombs", async () => {
    const started = performance.now();
    await expect(readAll(await contentBombPdf(400), { PDF_MEMORY_LIMIT_MB: "256" })).rejects.toThrow(
      /^This PDF expands to more than 256 MB of content when read \(page 1\)/,
    );
    await expect(readAll(await fontBombPdf(400), { PDF_MEMORY_LIMIT_MB: "256" })).rejects.toThrow(
      /expands to more than 256 MB/,
    );
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it("kills a reader that passes its time budgets", async () => {
    await expect(readAll(await contentBombPdf(400), { PDF_PAGE_TIMEOUT_MS: "300" })).rejects.toThrow(
      /^Reading page 1 of this PDF took longer than 0.3 s/,
    );
    await expect(readAll(manyPagesPdf(200), { PDF_DOCUMENT_TIMEOUT_MS: "400" })).rejects.toThrow(
      /^Reading this PDF took longer than 0.4 s, the limit for one document \(\d+ of 200 pages read\)/,
    );
  }, 60_000);

  it("an aborted read stops its reader", async () => {
    const { readPdfPages } = await reader();
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of readPdfPages(await contentBombPdf(400), controller.signal)) {
        // reading
      }
    })();
    setTimeout(() => controller.abort(new Error("lease lost")), 200);
    await expect(reading).rejects.toThrow("lease lost");
  });
});
