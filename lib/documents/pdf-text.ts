import "server-only";

type PDFDocumentProxy = Awaited<ReturnType<typeof import("unpdf")["getDocumentProxy"]>>;

/**
 * PDF parsing with unpdf (pdf.js): open, count pages, extract text page by page with
 * paragraph breaks kept. Parse failures become reasons a person can act on.
 */
export class PdfReadError extends Error {
  override name = "PdfReadError";
  constructor(
    readonly reason: "password_protected" | "unreadable",
    message: string,
  ) {
    super(message);
  }
}

export const PASSWORD_PROTECTED =
  "This PDF is password protected. Remove the password (print or export it to a new PDF) and upload it again.";
export const NOT_READABLE =
  "This file is not a readable PDF (it may be damaged or incomplete). Export it again from the original and re-upload.";

export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const { getDocumentProxy } = await import("unpdf");
  try {
    // pdf.js may take ownership of the buffer it is given: hand it a copy.
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (err) {
    const name = (err as { name?: string }).name ?? "";
    if (name === "PasswordException") throw new PdfReadError("password_protected", PASSWORD_PROTECTED);
    throw new PdfReadError("unreadable", NOT_READABLE);
  }
}

interface TextItem {
  str: string;
  hasEOL?: boolean;
  transform?: number[];
  height?: number;
}

/** The text of one page; paragraphs separated by a blank line. */
export async function pageText(doc: PDFDocumentProxy, pageNumber: number): Promise<string> {
  const page = await doc.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    let out = "";
    let lastY: number | null = null;
    let lastHeight = 0;
    for (const raw of content.items as TextItem[]) {
      if (typeof raw.str !== "string") continue;
      const y = raw.transform?.[5] ?? null;
      const height = raw.height || lastHeight || 10;
      if (lastY !== null && y !== null && out && !out.endsWith("\n")) {
        // A new line that the item did not mark.
        if (Math.abs(lastY - y) > height * 0.5) out += "\n";
      }
      if (lastY !== null && y !== null && lastY - y > Math.max(height, lastHeight) * 1.8 && !out.endsWith("\n\n")) {
        out += out.endsWith("\n") ? "\n" : "\n\n";
      }
      out += raw.str;
      if (raw.hasEOL) out += "\n";
      if (y !== null) lastY = y;
      lastHeight = height;
    }
    return normaliseText(out);
  } finally {
    page.cleanup();
  }
}

export function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
