import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { extractText, getDocumentProxy, getResolvedPDFJS } from "unpdf";
import { describe, expect, it } from "vitest";
import {
  encryptedPdf,
  factPage,
  factText,
  garbledPdf,
  largePdf,
  manyPagesPdf,
  manyPagesText,
  normalizeText,
  notAPdf,
  pdfWithoutMagic,
  scannedPagePdf,
  textPdf,
  truncatedPdf,
  writeTempPdf,
} from "./pdf-fixtures";

// Optional reference tool: skipped locally when missing, required in CI (like scripts/test.mjs).
const hasTool = (cmd: string) => {
  try {
    execFileSync(cmd, ["-v"], { stdio: "ignore" });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ENOENT";
  }
};
const hasPdftotext = hasTool("pdftotext");
const hasQpdf = hasTool("qpdf");

const head = (bytes: Uint8Array, n = 5) => Buffer.from(bytes.subarray(0, n)).toString("latin1");

/** Page texts via unpdf. unpdf detaches the buffer it is given, so it gets a copy. */
async function pages(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  const { text } = await extractText(pdf);
  await pdf.loadingTask.destroy();
  return text;
}

/** The error unpdf throws when opening `bytes` (fails the test if it opens). */
async function openError(bytes: Uint8Array, password?: string): Promise<Error & { code?: number }> {
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, ...(password ? { password } : {}) });
    await pdf.loadingTask.destroy();
  } catch (err) {
    return err as Error & { code?: number };
  }
  throw new Error("expected the PDF to fail to open");
}

/** `qpdf --check` passes (the hand-written objects and xref table are valid). */
function qpdfCheck(bytes: Uint8Array) {
  if (!hasQpdf) return;
  const file = writeTempPdf(bytes);
  try {
    const out = execFileSync("qpdf", ["--check", file], { encoding: "utf8" });
    expect(out).toContain("No syntax or stream encoding errors found");
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

function pdftotextPages(bytes: Uint8Array): string[] {
  const file = writeTempPdf(bytes);
  try {
    const out = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8", maxBuffer: 64 << 20 });
    return out.split("\f").slice(0, -1); // every page ends with a form feed
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

// Database-independent: runs in the pglite project only. A skipped suite (not `if (...)
// describe`) keeps the postgres project from failing with "No test suite found in file".
describe.skipIf(process.env.TEST_DB === "postgres")("pdf fixtures", () => {
  it("textPdf puts each entry's text on its own page", async () => {
    const bytes = textPdf([
      "# Product overview\n\nThe catalogue lists our pumps.\nA second line (in parentheses) with a back\\slash.",
      ["# Pricing", "Prices are in EUR: café 5 €, “quoted” — dashed."],
      { heading: "Warranty", paragraphs: ["The X200 warranty lasts 5 years.", "Ask support for details."] },
      "A long paragraph that must wrap. ".repeat(40),
    ]);
    expect(head(bytes)).toBe("%PDF-");
    expect(textPdf(["same"])).toEqual(textPdf(["same"])); // deterministic
    qpdfCheck(bytes);

    const text = await pages(bytes);
    expect(text).toHaveLength(4);
    expect(text[0]).toContain("Product overview");
    expect(text[0]).toContain("A second line (in parentheses) with a back\\slash.");
    expect(text[1]).toContain("Prices are in EUR: café 5 €, “quoted” — dashed.");
    expect(text[2]).toContain("The X200 warranty lasts 5 years.");
    for (const i of [0, 1, 3]) expect(text[i]).not.toContain("X200");
    // Wrapped lines come back as separate lines; normalised, the paragraph is intact.
    expect(text[3]!.split("\n").length).toBeGreaterThan(5);
    expect(normalizeText(text[3]!)).toBe(normalizeText("A long paragraph that must wrap. ".repeat(40)));
  });

  it("manyPagesPdf(200) is a realistic 200-page catalogue that unpdf and pdftotext read", async () => {
    let t = performance.now();
    const bytes = manyPagesPdf(200);
    const genMs = performance.now() - t;
    expect(head(bytes)).toBe("%PDF-");
    qpdfCheck(bytes);

    t = performance.now();
    const text = await pages(bytes);
    const unpdfMs = performance.now() - t;
    expect(text).toHaveLength(200);

    const words = text.map((p) => p.split(/\s+/).filter(Boolean).length);
    expect(Math.min(...words)).toBeGreaterThanOrEqual(280);
    expect(Math.max(...words)).toBeLessThanOrEqual(520);
    expect(text[0]).toMatch(/^Chapter 1: /);
    expect(text[5]).toMatch(/^Chapter 2: /);
    expect(text[1]).not.toMatch(/Chapter/);
    expect(text[199]).toContain("Page 200 of 200");

    expect(factPage(137)).toBe(46);
    expect(text[45]).toContain(factText(137)); // "Fact 137: the part number for item 137 is P-137."
    expect(text.filter((p) => p.includes(factText(137)))).toHaveLength(1);
    for (let k = 1; k <= 600; k += 53) expect(text[factPage(k) - 1]).toContain(factText(k));
    // The exported page texts are what is drawn.
    const model = manyPagesText(200)[45]!;
    expect(normalizeText(text[45]!)).toContain(normalizeText(model.paragraphs.join(" ")));

    let line = `generate 200 pages: ${genMs.toFixed(0)} ms, ${(bytes.length / 1024).toFixed(0)} KiB, ${words.reduce((a, b) => a + b, 0)} words; unpdf: ${unpdfMs.toFixed(0)} ms`;
    if (hasPdftotext || process.env.CI) {
      t = performance.now();
      const ref = pdftotextPages(bytes);
      line += `; pdftotext: ${(performance.now() - t).toFixed(0)} ms`;
      expect(ref).toHaveLength(200);
      expect(ref[45]).toContain(factText(137));
      expect(normalizeText(ref[45]!)).toBe(normalizeText(text[45]!));
    } else {
      line += "; pdftotext not installed, reference check skipped";
    }
    console.log(`[pdf-fixtures] ${line}`);
    expect(genMs).toBeLessThan(3000);
  });

  it("largePdf(21 MB) is over 21 MB, quick to make, and opens", async () => {
    const t = performance.now();
    const bytes = largePdf(21_000_000);
    const genMs = performance.now() - t;
    expect(bytes.length).toBeGreaterThan(21_000_000);
    expect(bytes.length).toBeLessThan(21_100_000);
    expect(head(bytes)).toBe("%PDF-");
    const text = await pages(bytes);
    expect(text).toHaveLength(2);
    expect(text[0]).toContain("Large document");
    qpdfCheck(bytes);
    console.log(`[pdf-fixtures] largePdf(21e6): ${bytes.length} bytes in ${genMs.toFixed(0)} ms`);
    expect(genMs).toBeLessThan(3000);
  });

  it("scannedPagePdf: page 1 has text, page 2 only an image", async () => {
    const bytes = scannedPagePdf();
    qpdfCheck(bytes);
    const text = await pages(bytes);
    expect(text).toHaveLength(2);
    expect(text[0]).toContain("Installation guide");
    expect(text[1]!.trim()).toBe("");

    // Page 2 paints an image XObject and draws no text at all.
    const { OPS } = await getResolvedPDFJS();
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const ops = (await (await pdf.getPage(2)).getOperatorList()).fnArray;
    const ops1 = (await (await pdf.getPage(1)).getOperatorList()).fnArray;
    await pdf.loadingTask.destroy();
    expect(ops).toContain(OPS.paintImageXObject);
    expect(ops).not.toContain(OPS.showText);
    expect(ops).not.toContain(OPS.beginText);
    expect(ops1).toContain(OPS.showText);
    console.log(`[pdf-fixtures] scannedPagePdf: ${bytes.length} bytes`);
  });

  it("encryptedPdf needs the password: unpdf throws PasswordException", async () => {
    const bytes = encryptedPdf("secret");
    expect(head(bytes)).toBe("%PDF-");
    const noPassword = await openError(bytes);
    expect(noPassword).toMatchObject({ name: "PasswordException", message: "No password given", code: 1 });
    const wrong = await openError(bytes, "wrong");
    expect(wrong).toMatchObject({ name: "PasswordException", message: "Incorrect Password", code: 2 });
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, password: "secret" });
    expect((await extractText(pdf, { mergePages: true })).text).toContain("The secret code is 4711.");
    await pdf.loadingTask.destroy();
    // Owner-password-only encryption restricts permissions but still opens and extracts.
    expect((await pages(encryptedPdf("")))[0]).toContain("The secret code is 4711.");
  });

  it("encryptedPdf names qpdf when it is missing", () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => encryptedPdf()).toThrow(/needs the `qpdf` command/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("truncated, garbled, headerless and non-PDF bytes throw InvalidPDFException", async () => {
    const truncated = truncatedPdf();
    expect(head(truncated)).toBe("%PDF-");
    const invalid = { name: "InvalidPDFException", message: "Invalid PDF structure." };
    expect(await openError(truncated)).toMatchObject(invalid);
    expect(await openError(garbledPdf())).toMatchObject(invalid);
    expect(await openError(notAPdf())).toMatchObject(invalid);
    expect(head(notAPdf())).not.toBe("%PDF-");
    const headerless = pdfWithoutMagic();
    expect(head(headerless)).not.toBe("%PDF-");
    expect(await openError(headerless)).toMatchObject(invalid);
    expect(await openError(new Uint8Array(0))).toMatchObject({
      name: "InvalidPDFException",
      message: "The PDF file is empty, i.e. its size is zero bytes.",
    });
    // pdf.js repairs a file that lost only its tail (xref table and trailer): not an error.
    expect(await pages(truncatedPdf({ fraction: 0.97 }))).toHaveLength(3);
  });

  it("unpdf detaches the buffer it is given (callers must pass a copy)", async () => {
    const bytes = textPdf(["detach me"]);
    const pdf = await getDocumentProxy(bytes, { verbosity: 0 });
    await pdf.loadingTask.destroy();
    expect(bytes.length).toBe(0);
  });
});
