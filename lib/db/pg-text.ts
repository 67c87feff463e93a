/**
 * What PostgreSQL's `text` accepts. It refuses NUL ("invalid byte sequence for encoding
 * UTF8: 0x00"), and a lone UTF-16 surrogate has no UTF-8 form; text from documents and
 * error messages that may quote it are cleaned before any insert, so recording a failure
 * can never fail in turn (a job whose failure cannot be written is retried for ever).
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NUL becomes a space (it separates words where PDFs carry it); lone surrogates become U+FFFD. */
export function pgText(text: string): string {
  return text.replaceAll("\u0000", " ").replace(LONE_SURROGATE, "\ufffd");
}

/**
 * An error message fit to store (jobs.last_error, documents.error) and to log: cleaned as
 * pgText, other control characters (except newline and tab) dropped, at most `max` characters.
 */
export function errorText(message: unknown, max = 2000): string {
  const text = pgText(typeof message === "string" ? message : String(message))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
  if (text.length <= max) return text;
  // A cut inside a surrogate pair leaves a lone half: pgText mends it.
  return `${pgText(text.slice(0, max - 1))}…`;
}
