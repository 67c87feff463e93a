/** What a PDF upload may be (API.md, Documents). */
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
export const MAX_PDF_PAGES = 200;
/** Text extracted from one PDF; a dense 200-page catalogue holds well under 1 million characters. */
export const MAX_PDF_TEXT_CHARS = 5_000_000;
