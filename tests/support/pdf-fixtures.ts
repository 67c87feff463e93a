/**
 * Test PDFs generated at test time (nothing binary is committed).
 *
 * The PDFs are written by hand: PDF 1.4 objects, a classic xref table, the standard
 * Helvetica / Helvetica-Bold fonts (no embedding) with WinAnsiEncoding, one content
 * stream per page, text wrapped to the page width with Helvetica's real glyph widths.
 * Output is deterministic (same input, same bytes).
 *
 * Only `encryptedPdf` needs an external tool (`qpdf`, Debian package `qpdf`, installed by
 * `.ci/provision.sh`).
 *
 * Note for callers: pdf.js (unpdf) may detach the ArrayBuffer it is given. Pass a copy
 * (`new Uint8Array(bytes)`) when the same bytes are used again afterwards.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

/**
 * One page of text:
 * - a string: paragraphs separated by blank lines; a single "\n" is a hard line break;
 * - an array of strings: one paragraph each;
 * - an object with an optional heading and paragraphs.
 * A paragraph starting with "# " is drawn as a heading (bold, larger; the "# " is dropped).
 */
export type PageInput = string | readonly string[] | { heading?: string; paragraphs: readonly string[] };

export interface TextPdfOptions {
  /** Document title (/Info /Title). Default "Test document". */
  title?: string;
  /** Body font size in points. Default 11. Shrunk automatically (down to 5) when a page's text does not fit. */
  fontSize?: number;
  /** Page size in points. Default US Letter [612, 792]. */
  pageSize?: readonly [number, number];
  /** Margin in points. Default 72. */
  margin?: number;
  /** FlateDecode the content streams. Default false (readable, larger). */
  compress?: boolean;
  /** Draw "Page i of n" at the bottom of each page (it is extractable text). Default false. */
  pageNumbers?: boolean;
}

export interface ManyPagesOptions extends TextPdfOptions {
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Numbered facts per page. Default 3 (page p holds facts 3p-2 .. 3p). */
  factsPerPage?: number;
  /** A chapter heading starts every `chapterEvery` pages. Default 5. */
  chapterEvery?: number;
  /** Target words of prose per page (facts, headings and footers add ~35 more). Default [270, 440]. */
  wordsPerPage?: readonly [number, number];
}

// ---------------------------------------------------------------------------------------
// Text PDFs
// ---------------------------------------------------------------------------------------

/** A PDF with one page per entry of `pages`, each with its text. */
export function textPdf(pages: readonly PageInput[], opts: TextPdfOptions = {}): Uint8Array {
  if (pages.length === 0) throw new Error("textPdf: at least one page is required");
  const layout = layoutOptions(opts);
  const specs = pages.map((page, i) => {
    const blocks = toBlocks(page);
    const footer = opts.pageNumbers ? `Page ${i + 1} of ${pages.length}` : undefined;
    return { content: pageContent(blocks, layout, footer, i + 1), fonts: true, images: [] };
  });
  return buildPdf(specs, { title: opts.title ?? "Test document", compress: opts.compress ?? false, layout });
}

/** Text of fact number `k` exactly as `manyPagesPdf` writes it. */
export function factText(k: number): string {
  return `Fact ${k}: the part number for item ${k} is P-${k}.`;
}

/** 1-based page on which `manyPagesPdf` writes fact `k`. */
export function factPage(k: number, factsPerPage = 3): number {
  return Math.ceil(k / factsPerPage);
}

/**
 * The pages `manyPagesPdf(n, opts)` draws, as `textPdf` input (so tests know every page's
 * exact text). Page p: a chapter heading when (p - 1) % chapterEvery === 0, prose
 * paragraphs and facts (p-1)*factsPerPage+1 .. p*factsPerPage, each a paragraph of its own.
 */
export function manyPagesText(n: number, opts: ManyPagesOptions = {}): { heading?: string; paragraphs: string[] }[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`manyPagesText: n must be a positive integer, got ${n}`);
  const rand = mulberry32(opts.seed ?? 1);
  const factsPerPage = opts.factsPerPage ?? 3;
  const chapterEvery = opts.chapterEvery ?? 5;
  const [minWords, maxWords] = opts.wordsPerPage ?? [270, 440];
  const pages: { heading?: string; paragraphs: string[] }[] = [];
  for (let p = 1; p <= n; p++) {
    const heading =
      (p - 1) % chapterEvery === 0 ? `Chapter ${(p - 1) / chapterEvery + 1}: ${chapterTitle(rand)}` : undefined;
    const target = minWords + Math.floor(rand() * (maxWords - minWords + 1));
    const paragraphs: string[] = [];
    let words = 0;
    const firstFact = (p - 1) * factsPerPage + 1;
    let factsLeft = factsPerPage;
    const paragraphCount = Math.max(2, Math.round(target / 90));
    for (let para = 0; para < paragraphCount; para++) {
      const wantWords = Math.round((target - words) / (paragraphCount - para));
      const sentences: string[] = [];
      let paraWords = 0;
      while (paraWords < wantWords) {
        const s = sentence(rand);
        sentences.push(s);
        paraWords += s.split(" ").length;
      }
      words += paraWords;
      paragraphs.push(sentences.join(" "));
      // Spread the facts between the prose paragraphs.
      const factsHere = Math.ceil(factsLeft / (paragraphCount - para));
      for (let f = 0; f < factsHere; f++) {
        paragraphs.push(factText(firstFact + factsPerPage - factsLeft));
        factsLeft--;
      }
    }
    pages.push(heading ? { heading, paragraphs } : { paragraphs });
  }
  return pages;
}

/**
 * n pages of deterministic, varied catalogue prose (~300-500 words a page), a chapter
 * heading every 5 pages, 3 numbered facts per page ("Fact 137: the part number for item 137
 * is P-137.", see `factText` / `factPage`) and "Page i of n" footers.
 */
export function manyPagesPdf(n: number, opts: ManyPagesOptions = {}): Uint8Array {
  return textPdf(manyPagesText(n, opts), {
    title: `Product catalogue (${n} pages)`,
    pageNumbers: true,
    ...opts,
  });
}

// ---------------------------------------------------------------------------------------
// Large, scanned, encrypted and broken PDFs
// ---------------------------------------------------------------------------------------

/**
 * A valid PDF of more than `minBytes` bytes: page 1 is text, page 2 shows one big
 * uncompressed 8-bit grayscale image (the bulk of the file). Fast: ~20 MB in well under a second.
 */
export function largePdf(minBytes: number, opts: { text?: PageInput } = {}): Uint8Array {
  if (!Number.isFinite(minBytes) || minBytes < 0) throw new Error(`largePdf: bad size ${minBytes}`);
  const width = 2048;
  const height = Math.max(1, Math.ceil(minBytes / width) + 1);
  const data = new Uint8Array(width * height);
  const row = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const shift = (y * 7) & 255;
    for (let x = 0; x < width; x++) row[x] = ((x >> 3) + shift) & 255;
    data.set(row, y * width);
  }
  const layout = layoutOptions({});
  const text = opts.text ?? [
    "# Large document",
    `This file is larger than ${minBytes} bytes. Page 2 holds a single uncompressed grayscale image of ${width} by ${height} pixels.`,
  ];
  const [pw, ph] = layout.pageSize;
  return buildPdf(
    [
      { content: pageContent(toBlocks(text), layout, undefined, 1), fonts: true, images: [] },
      {
        content: `q ${pw} 0 0 ${ph} 0 0 cm /Im1 Do Q\n`,
        fonts: false,
        images: [{ width, height, data, compress: false }],
      },
    ],
    { title: "Large document", compress: false, layout },
  );
}

/**
 * A PDF whose page 1 has a normal text layer and whose following `scannedPages` pages
 * (default 1) contain only a raster image (8-bit grayscale "scan" at 100 dpi showing dark
 * bars where text lines would be; no text operators, no fonts).
 */
export function scannedPagePdf(opts: { text?: PageInput; scannedPages?: number; seed?: number } = {}): Uint8Array {
  const layout = layoutOptions({});
  const [pw, ph] = layout.pageSize;
  const width = Math.round((pw / 72) * 100);
  const height = Math.round((ph / 72) * 100);
  const rand = mulberry32(opts.seed ?? 7);
  const text = opts.text ?? [
    "# Installation guide",
    "Page 1 of this document has a text layer. Page 2 is a scanned image without any text layer.",
  ];
  const pages: PageSpec[] = [{ content: pageContent(toBlocks(text), layout, undefined, 1), fonts: true, images: [] }];
  for (let s = 0; s < (opts.scannedPages ?? 1); s++) {
    pages.push({
      content: `q ${pw} 0 0 ${ph} 0 0 cm /Im1 Do Q\n`,
      fonts: false,
      images: [{ width, height, data: scanBitmap(width, height, rand), compress: true }],
    });
  }
  return buildPdf(pages, { title: "Scanned document", compress: true, layout });
}

/**
 * A text PDF encrypted by `qpdf --encrypt` (AES-256, R6). With a non-empty `userPassword`
 * (default "secret") it cannot be opened without the password; with `userPassword = ""` it
 * is owner-password-only (opens and extracts; only permissions are restricted). The owner
 * password defaults to "owner-" + userPassword.
 * Throws when `qpdf` is not installed.
 */
export function encryptedPdf(
  userPassword = "secret",
  opts: { ownerPassword?: string; pages?: readonly PageInput[] } = {},
): Uint8Array {
  const ownerPassword = opts.ownerPassword ?? `owner-${userPassword}`;
  if (ownerPassword === "") throw new Error("encryptedPdf: the owner password must not be empty");
  // qpdf 11.3 (Debian 12) takes the passwords positionally and reads "-x" as an option.
  if (userPassword.startsWith("-") || ownerPassword.startsWith("-")) {
    throw new Error("encryptedPdf: passwords must not start with '-' (qpdf would read them as options)");
  }
  const plain = textPdf(
    opts.pages ?? ["# Confidential price list\n\nThis document is encrypted. The secret code is 4711."],
    { title: "Encrypted document" },
  );
  const dir = mkdtempSync(path.join(tmpdir(), "pdf-fixture-"));
  try {
    const input = path.join(dir, "plain.pdf");
    const output = path.join(dir, "encrypted.pdf");
    writeFileSync(input, plain);
    try {
      execFileSync("qpdf", ["--encrypt", userPassword, ownerPassword, "256", "--", input, output], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { status?: number | null; stderr?: Buffer };
      if (e.code === "ENOENT") {
        throw new Error(
          "encryptedPdf needs the `qpdf` command, which is not installed (Debian: apt-get install -y qpdf; see .ci/provision.sh)",
        );
      }
      // Exit status 3 means "succeeded with warnings".
      if (e.status !== 3) throw new Error(`qpdf --encrypt failed (status ${e.status}): ${e.stderr?.toString().trim()}`);
    }
    return new Uint8Array(readFileSync(output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `fraction` (default half) of a valid 3-page text PDF: starts with "%PDF-", no xref/trailer. */
export function truncatedPdf(opts: { fraction?: number } = {}): Uint8Array {
  const full = textPdf(
    [
      "# Truncated document\n\nThis upload was cut off in transit.",
      "The second page of the truncated document.",
      "The third page of the truncated document.",
    ],
    { title: "Truncated document" },
  );
  return full.slice(0, Math.floor(full.length * (opts.fraction ?? 0.5)));
}

/** Plain text bytes (to be uploaded with a ".pdf" name). */
export function notAPdf(): Uint8Array {
  return new TextEncoder().encode(
    "Quarterly report\n\nThis is a plain text file that was renamed to report.pdf. It is not a PDF.\n",
  );
}

/**
 * A structurally complete one-page PDF (objects, xref, trailer) that lacks the "%PDF-1.4"
 * header line, so it does not start with the "%PDF-" magic bytes.
 */
export function pdfWithoutMagic(): Uint8Array {
  const layout = layoutOptions({});
  const blocks = toBlocks("# Headerless document\n\nThis file has no %PDF- header line.");
  return buildPdf([{ content: pageContent(blocks, layout, undefined, 1), fonts: true, images: [] }], {
    title: "Headerless document",
    compress: false,
    layout,
    header: false,
  });
}

/** "%PDF-1.4" followed by deterministic random bytes: has the magic, is not a PDF. */
export function garbledPdf(bytes = 4096): Uint8Array {
  const out = new Uint8Array(bytes);
  const head = new TextEncoder().encode("%PDF-1.4\n");
  out.set(head);
  const rand = mulberry32(99);
  for (let i = head.length; i < bytes; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

// ---------------------------------------------------------------------------------------
// Helpers for tests
// ---------------------------------------------------------------------------------------

/** Writes `bytes` to a new temp directory as `name` and returns the file path (the caller removes it). */
export function writeTempPdf(bytes: Uint8Array, name = "fixture.pdf"): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "pdf-fixture-")), name);
  writeFileSync(file, bytes);
  return file;
}

/**
 * Collapses all whitespace to single spaces. Text extractors end every drawn line with a
 * line break, so a sentence wrapped over two lines is only found after normalising.
 */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

// ---------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------

interface Layout {
  fontSize: number;
  pageSize: readonly [number, number];
  margin: number;
}

type Block = { kind: "heading" | "para"; text: string };

function layoutOptions(opts: TextPdfOptions): Layout {
  return { fontSize: opts.fontSize ?? 11, pageSize: opts.pageSize ?? [612, 792], margin: opts.margin ?? 72 };
}

function toBlocks(page: PageInput): Block[] {
  let paragraphs: string[];
  const blocks: Block[] = [];
  if (typeof page === "string") {
    paragraphs = page.split(/\n[ \t]*\n/);
  } else if (isPageObject(page)) {
    if (page.heading) blocks.push({ kind: "heading", text: page.heading });
    paragraphs = [...page.paragraphs];
  } else {
    paragraphs = [...page];
  }
  for (const p of paragraphs) {
    const text = p.replace(/^\n+|\n+$/g, "");
    if (text.trim() === "") continue;
    if (text.startsWith("# ")) blocks.push({ kind: "heading", text: text.slice(2).trim() });
    else blocks.push({ kind: "para", text });
  }
  return blocks;
}

function isPageObject(page: PageInput): page is { heading?: string; paragraphs: readonly string[] } {
  return typeof page === "object" && !Array.isArray(page) && "paragraphs" in page;
}

/** Builds the content stream of one text page. */
function pageContent(blocks: Block[], layout: Layout, footer: string | undefined, pageNo: number): string {
  const [pw, ph] = layout.pageSize;
  const width = pw - 2 * layout.margin;
  const available = ph - 2 * layout.margin;
  for (let size = layout.fontSize; size >= 5; size -= 0.5) {
    const lines = layoutLines(blocks, size, width);
    const last = lines[lines.length - 1];
    if (!last || last.y + last.size <= available) return render(lines, layout, footer, size);
  }
  throw new Error(`pdf-fixtures: the text of page ${pageNo} does not fit on one page even at 5 pt; split it`);
}

interface Line {
  text: string;
  bold: boolean;
  size: number;
  /** Distance of the baseline below the top margin. */
  y: number;
}

function layoutLines(blocks: Block[], size: number, width: number): Line[] {
  const lines: Line[] = [];
  let y = 0;
  blocks.forEach((block, i) => {
    const bold = block.kind === "heading";
    const fs = bold ? Math.round(size * 1.45 * 2) / 2 : size;
    const leading = fs * 1.3;
    if (i > 0) y += size * (bold ? 0.9 : 0.6);
    for (const hard of block.text.split("\n")) {
      for (const text of wrap(hard, fs, width, bold)) {
        y += leading;
        lines.push({ text, bold, size: fs, y: y - leading + fs });
      }
    }
  });
  return lines;
}

function render(lines: Line[], layout: Layout, footer: string | undefined, size: number): string {
  const [pw, ph] = layout.pageSize;
  const top = ph - layout.margin;
  const out: string[] = ["BT"];
  let font = "";
  for (const line of lines) {
    const f = `/${line.bold ? "F2" : "F1"} ${fmt(line.size)} Tf`;
    if (f !== font) out.push(f);
    font = f;
    out.push(`1 0 0 1 ${fmt(layout.margin)} ${fmt(top - line.y)} Tm (${pdfString(line.text)}) Tj`);
  }
  if (footer) {
    const fs = Math.min(9, size);
    const x = (pw - textWidth(footer, fs, false)) / 2;
    out.push(`/F1 ${fmt(fs)} Tf`, `1 0 0 1 ${fmt(x)} ${fmt(layout.margin / 2)} Tm (${pdfString(footer)}) Tj`);
  }
  out.push("ET");
  return `${out.join("\n")}\n`;
}

function wrap(text: string, size: number, width: number, bold: boolean): string[] {
  const words = text.replace(/\t/g, " ").split(" ");
  const space = textWidth(" ", size, bold);
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (const word of words) {
    const w = textWidth(word, size, bold);
    if (line !== "" && lineWidth + space + w <= width) {
      line = `${line} ${word}`;
      lineWidth += space + w;
      continue;
    }
    if (line !== "") lines.push(line);
    line = word;
    lineWidth = w;
    // A single word longer than the line: break it by characters.
    while (lineWidth > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && textWidth(line.slice(0, cut), size, bold) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
      lineWidth = textWidth(line, size, bold);
    }
  }
  lines.push(line);
  return lines;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, "");
}

// Helvetica and Helvetica-Bold advance widths (1/1000 em) for ASCII 32..126, from the Adobe AFMs.
// biome-ignore format: a table
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// biome-ignore format: a table
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

function textWidth(text: string, size: number, bold: boolean): number {
  const table = bold ? HELVETICA_BOLD : HELVETICA;
  let w = 0;
  for (const byte of winAnsi(text)) w += byte >= 32 && byte <= 126 ? table[byte - 32]! : bold ? 611 : 556;
  return (w * size) / 1000;
}

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

// WinAnsiEncoding codes 0x80..0x9F that differ from Latin-1.
const WIN_ANSI_EXTRA: Record<string, number> = {
  "\u20ac": 0x80,
  "\u201a": 0x82,
  "\u0192": 0x83,
  "\u201e": 0x84,
  "\u2026": 0x85,
  "\u2020": 0x86,
  "\u2021": 0x87,
  "\u02c6": 0x88,
  "\u2030": 0x89,
  "\u0160": 0x8a,
  "\u2039": 0x8b,
  "\u0152": 0x8c,
  "\u017d": 0x8e,
  "\u2018": 0x91,
  "\u2019": 0x92,
  "\u201c": 0x93,
  "\u201d": 0x94,
  "\u2022": 0x95,
  "\u2013": 0x96,
  "\u2014": 0x97,
  "\u02dc": 0x98,
  "\u2122": 0x99,
  "\u0161": 0x9a,
  "\u203a": 0x9b,
  "\u0153": 0x9c,
  "\u017e": 0x9e,
  "\u0178": 0x9f,
};

/** Unicode text to WinAnsi codes; characters WinAnsi lacks become "?". */
function winAnsi(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 32 && c <= 126) || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else out.push(WIN_ANSI_EXTRA[ch] ?? 0x3f);
  }
  return out;
}

/** The body of a PDF literal string (without the parentheses), pure ASCII. */
function pdfString(text: string): string {
  let s = "";
  for (const b of winAnsi(text)) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b < 32 || b > 126) s += `\\${b.toString(8).padStart(3, "0")}`;
    else s += String.fromCharCode(b);
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// PDF object writer
// ---------------------------------------------------------------------------------------

interface ImageSpec {
  width: number;
  height: number;
  /** 8-bit DeviceGray samples, width * height bytes. */
  data: Uint8Array;
  compress: boolean;
}

interface PageSpec {
  content: string;
  fonts: boolean;
  images: ImageSpec[];
}

const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));

/**
 * Writes a PDF: 1 Catalog, 2 Pages, 3 Info, 4-5 fonts, then per page: Page, content
 * stream, images. Objects are written in number order; the xref table follows.
 */
function buildPdf(pages: PageSpec[], doc: { title: string; compress: boolean; layout: Layout; header?: boolean }) {
  const objects: Uint8Array[][] = [];
  const add = (parts: Uint8Array[]): number => objects.push(parts);
  const obj = (body: string) => add([latin1(body)]);
  const stream = (dict: string, data: Uint8Array, compress: boolean) => {
    const bytes = compress ? new Uint8Array(deflateSync(data)) : data;
    const filter = compress ? " /Filter /FlateDecode" : "";
    return add([latin1(`<< ${dict}${filter} /Length ${bytes.length} >>\nstream\n`), bytes, latin1("\nendstream")]);
  };

  const catalog = obj(""); // placeholders, replaced below
  const pagesId = obj("");
  const info = obj(
    `<< /Title (${pdfString(doc.title)}) /Producer (PDF Answers test fixtures) /CreationDate (D:20260101000000Z) >>`,
  );
  const f1 = obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const f2 = obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  const [pw, ph] = doc.layout.pageSize;
  const kids: number[] = [];
  for (const page of pages) {
    const pageId = obj("");
    kids.push(pageId);
    const contents = stream("", latin1(page.content), doc.compress);
    const xobjects = page.images.map((img, i) => {
      if (img.data.length !== img.width * img.height) throw new Error("pdf-fixtures: image size mismatch");
      const id = stream(
        `/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8`,
        img.data,
        img.compress,
      );
      return `/Im${i + 1} ${id} 0 R`;
    });
    const resources = [
      page.fonts ? `/Font << /F1 ${f1} 0 R /F2 ${f2} 0 R >>` : "",
      xobjects.length ? `/XObject << ${xobjects.join(" ")} >>` : "",
    ]
      .filter(Boolean)
      .join(" ");
    objects[pageId - 1] = [
      latin1(
        `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${pw} ${ph}] /Resources << ${resources} >> /Contents ${contents} 0 R >>`,
      ),
    ];
  }
  objects[catalog - 1] = [latin1(`<< /Type /Catalog /Pages ${pagesId} 0 R >>`)];
  objects[pagesId - 1] = [
    latin1(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`),
  ];

  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    offset += b.length;
  };
  // Header with a binary comment so tools treat the file as binary.
  if (doc.header !== false) push(Uint8Array.from([...latin1("%PDF-1.4\n%"), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  const offsets: number[] = [];
  const hash = createHash("md5");
  objects.forEach((parts, i) => {
    offsets.push(offset);
    push(latin1(`${i + 1} 0 obj\n`));
    for (const part of parts) {
      push(part);
      if (part.length < 1_000_000) hash.update(part);
    }
    push(latin1("\nendobj\n"));
  });
  const xref = offset;
  const entries = offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  const id = hash.digest("hex");
  push(
    latin1(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}` +
        `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R /ID [<${id}> <${id}>] >>\n` +
        `startxref\n${xref}\n%%EOF\n`,
    ),
  );
  const out = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Deterministic content
// ---------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

const ADJECTIVES = [
  "compact",
  "durable",
  "lightweight",
  "modular",
  "weatherproof",
  "stainless",
  "adjustable",
  "energy-efficient",
  "heavy-duty",
  "portable",
  "certified",
  "reinforced",
  "silent",
  "wireless",
  "rechargeable",
  "precision",
  "industrial",
  "ergonomic",
  "corrosion-resistant",
  "low-voltage",
] as const;
const NOUNS = [
  "pump",
  "valve",
  "bracket",
  "controller",
  "sensor",
  "housing",
  "filter",
  "cable",
  "motor",
  "gearbox",
  "thermostat",
  "adapter",
  "hinge",
  "panel",
  "fan",
  "battery pack",
  "mounting kit",
  "display",
  "regulator",
  "coupling",
] as const;
const VERBS = [
  "supports",
  "requires",
  "includes",
  "replaces",
  "connects to",
  "is compatible with",
  "ships with",
  "protects",
  "extends",
  "monitors",
] as const;
const PLACES = [
  "in the warehouse",
  "at the installation site",
  "in humid environments",
  "during winter operation",
  "in commercial kitchens",
  "on production lines",
  "in outdoor cabinets",
  "in laboratory settings",
] as const;
const TOPICS = [
  "Installation",
  "Maintenance",
  "Warranty",
  "Safety",
  "Ordering",
  "Specifications",
  "Troubleshooting",
  "Accessories",
  "Shipping",
  "Returns",
  "Cleaning",
  "Compliance",
] as const;
const COLOURS = ["graphite", "white", "signal red", "ocean blue", "sand", "olive"] as const;

function chapterTitle(rand: () => number): string {
  return `${pick(rand, TOPICS)} of ${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)}s`;
}

function sentence(rand: () => number): string {
  const a = () => `${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)}`;
  const model = () => `${String.fromCharCode(65 + Math.floor(rand() * 26))}${100 + Math.floor(rand() * 900)}`;
  const n = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const templates: (() => string)[] = [
    () => `The ${a()} ${pick(rand, VERBS)} the ${a()} ${pick(rand, PLACES)}.`,
    () => `Model ${model()} weighs ${n(1, 90)}.${n(0, 9)} kg and is available in ${pick(rand, COLOURS)}.`,
    () => `Customers who order the ${a()} usually receive it within ${n(2, 14)} working days.`,
    () => `For best results, inspect the ${pick(rand, NOUNS)} every ${n(2, 24)} months ${pick(rand, PLACES)}.`,
    () => `Each ${pick(rand, NOUNS)} is tested at ${n(10, 400)} volts before it leaves the factory.`,
    () => `The warranty for the ${a()} covers parts and labour for ${n(1, 10)} years.`,
    () => `A ${a()} (model ${model()}) ${pick(rand, VERBS)} most ${pick(rand, NOUNS)}s sold since ${n(1998, 2025)}.`,
    () => `Do not operate the ${pick(rand, NOUNS)} above ${n(30, 120)} degrees Celsius; see the safety notes.`,
    () => `Replacement ${pick(rand, NOUNS)}s cost ${n(5, 900)}.${String(n(0, 99)).padStart(2, "0")} EUR per unit.`,
    () => `Technicians recommend the ${a()} because it ${pick(rand, VERBS)} the ${pick(rand, NOUNS)}.`,
  ];
  return pick(rand, templates)();
}

/** A 100 dpi grayscale "scan": paper-white noise with dark word-sized bars on text lines. */
function scanBitmap(width: number, height: number, rand: () => number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 236 + Math.floor(rand() * 20);
  const margin = 100;
  const lineHeight = 22;
  for (let top = margin; top + lineHeight < height - margin; top += lineHeight) {
    const end = rand() < 0.15 ? margin + Math.floor(rand() * (width - 2 * margin)) : width - margin;
    let x = margin;
    while (x < end) {
      const word = 12 + Math.floor(rand() * 60);
      for (let y = top; y < top + 11; y++) {
        for (let xx = x; xx < Math.min(x + word, end); xx++) data[y * width + xx] = 20 + Math.floor(rand() * 50);
      }
      x += word + 8;
    }
  }
  return data;
}
