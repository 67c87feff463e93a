/**
 * Turns a model's Markdown answer into WhatsApp messages (FACTS.md, "ManyChat"). WhatsApp
 * renders only *bold*, _italic_, ~strike~ and ```mono```; headings, tables and [x](url)
 * links show as raw text; one text message holds at most 4,096 characters and ManyChat
 * sends at most 10 at once. Pure functions: usable anywhere.
 */

export const WHATSAPP_MAX_CHARS = 4096;
export const MAX_MESSAGES = 10;

export interface AnswerSource {
  filename: string;
  page: number;
}

// Private-use characters stand for output syntax while the Markdown is rewritten, so a
// converted `*bold*` is not read again as a Markdown italic.
const BOLD = "\uE000";
const ITALIC = "\uE001";
const STRIKE = "\uE002";
const SLOT = "\uE003";
const MARKERS = /[\uE000-\uE003]/g;

// ---------------------------------------------------------------- Markdown → WhatsApp

export function toWhatsApp(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").replace(MARKERS, "").split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;

    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const closing = new RegExp(`^\\s{0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
      const code: string[] = [];
      while (i + 1 < lines.length && !closing.test(lines[i + 1] as string)) code.push(lines[++i] as string);
      i++; // the closing fence (or past the end when the block is left open)
      out.push("```", ...code, "```");
      continue;
    }

    if (startsTable(lines, i)) {
      while (i < lines.length && isTableLine(lines[i] as string)) {
        const row = lines[i++] as string;
        if (!isDelimiterRow(row)) out.push(tableCells(row).join(" | "));
      }
      i--;
      continue;
    }

    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) {
      const title = inline((heading[1] as string).replace(/\*\*|__/g, ""), true);
      out.push(title ? `*${title}*` : "");
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push(""); // a horizontal rule: WhatsApp has none
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(?:\[([ xX])\]\s+)?(.*)$/.exec(line);
    if (bullet) {
      const task = bullet[2] === undefined ? "" : bullet[2] === " " ? "☐ " : "☑ ";
      out.push(`${bullet[1]}• ${task}${inline(bullet[3] as string)}`);
      continue;
    }
    const numbered = /^(\s*)(\d{1,9})[.)]\s+(.*)$/.exec(line);
    if (numbered) {
      out.push(`${numbered[1]}${numbered[2]}. ${inline(numbered[3] as string)}`);
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      out.push(`> ${inline(quote[1] as string)}`);
      continue;
    }
    out.push(inline(line));
  }
  return out
    .join("\n")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

/** Inline Markdown of one line → WhatsApp. In a heading, bold is dropped (the heading is bold). */
function inline(text: string, inHeading = false): string {
  const slots: string[] = [];
  const keep = (s: string) => `${SLOT}${slots.push(s) - 1}${SLOT}`;
  let t = text;
  // Code spans first: nothing inside them is formatting.
  t = t.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks, code: string) => keep(`\`\`\`${code.trim()}\`\`\``));
  t = t.replace(/\\([\\`*_{}[\]()#+\-.!~|<>])/g, (_, c: string) => keep(c));
  t = t.replace(/<br\s*\/?>/gi, "\n");
  t = t.replace(/<((?:https?|mailto):[^\s>]+)>/g, (_, url: string) => keep(url));
  t = t.replace(
    /!?\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    (_, label: string, url: string) => {
      const plain = label.trim();
      const bare = url.replace(/^(?:https?:\/\/|mailto:)/, "").replace(/\/$/, "");
      return !plain || plain === url || plain === bare ? keep(url) : `${plain} (${keep(url)})`;
    },
  );
  // Bare URLs often hold _ or *: keep them away from the emphasis rules.
  t = t.replace(/\b(?:https?:\/\/|www\.)[^\s<>()]*[^\s<>().,;:!?'"]/g, (url) => keep(url));

  const notWord = "(?<![\\p{L}\\p{N}_])";
  const notWordAfter = "(?![\\p{L}\\p{N}_])";
  t = t.replace(/\*\*\*(?=\S)(.*?\S)\*\*\*/g, `${BOLD}${ITALIC}$1${ITALIC}${BOLD}`);
  t = t.replace(
    new RegExp(`${notWord}___(?=\\S)(.*?\\S)___${notWordAfter}`, "gu"),
    `${BOLD}${ITALIC}$1${ITALIC}${BOLD}`,
  );
  t = t.replace(/\*\*(?=\S)(.*?\S)\*\*/g, `${BOLD}$1${BOLD}`);
  t = t.replace(new RegExp(`${notWord}__(?=\\S)(.*?\\S)__${notWordAfter}`, "gu"), `${BOLD}$1${BOLD}`);
  t = t.replace(/(?<![\p{L}\p{N}*])\*(?=[^\s*])(.*?[^\s*])\*(?![\p{L}\p{N}*])/gu, `${ITALIC}$1${ITALIC}`);
  t = t.replace(new RegExp(`${notWord}_(?=[^\\s_])(.*?[^\\s_])_${notWordAfter}`, "gu"), `${ITALIC}$1${ITALIC}`);
  t = t.replace(/~~(?=\S)(.*?\S)~~/g, `${STRIKE}$1${STRIKE}`);

  if (inHeading) t = t.replaceAll(BOLD, "");
  return t
    .replaceAll(BOLD, "*")
    .replaceAll(ITALIC, "_")
    .replaceAll(STRIKE, "~")
    .replace(new RegExp(`${SLOT}(\\d+)${SLOT}`, "g"), (_, n: string) => slots[Number(n)] ?? "")
    .trimEnd();
}

const isTableLine = (line: string) => line.includes("|") && line.trim() !== "";
const isPipeRow = (line: string) => /^\s*\|.*\|\s*$/.test(line);
const isDelimiterRow = (line: string) => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);

/** A GFM table (a row then a delimiter row), or rows written between pipes without one. */
function startsTable(lines: string[], i: number): boolean {
  const line = lines[i] as string;
  if (!isTableLine(line)) return false;
  const next = lines[i + 1];
  return (next !== undefined && isDelimiterRow(next)) || (isPipeRow(line) && next !== undefined && isPipeRow(next));
}

function tableCells(row: string): string[] {
  const cells = row
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => inline(c.replace(/<br\s*\/?>/gi, " ").trim()) || "-");
  return cells;
}

// ---------------------------------------------------------------- answer → messages

/**
 * The messages for one answer: the text converted to WhatsApp syntax (pass
 * `{ markdown: false }` when it already is), followed by one "📄 file, p. 3, 7" line per
 * cited file, cut into messages of at most 4,096 characters at paragraph, line, sentence
 * or word boundaries. At most 10 messages: past that the last one is cut and ends with
 * "…"; the source lines are always kept, once, at the end.
 */
export function formatAnswer(text: string, sources: AnswerSource[], opts: { markdown?: boolean } = {}): string[] {
  const body =
    opts.markdown === false
      ? text
          .replace(/\r\n?/g, "\n")
          .replace(/\n{3,}/g, "\n\n")
          .trim()
      : toWhatsApp(text);
  const footer = sourcesFooter(sources);
  if (!body) return footer ? [footer] : [];
  if (!footer) return capMessages(splitMessages(body, WHATSAPP_MAX_CHARS), "");

  const chunks = splitMessages(body, WHATSAPP_MAX_CHARS);
  const last = chunks[chunks.length - 1] as string;
  if (chunks.length <= MAX_MESSAGES && last.length + 2 + footer.length <= WHATSAPP_MAX_CHARS) {
    chunks[chunks.length - 1] = `${last}\n\n${footer}`;
    return chunks;
  }
  if (chunks.length < MAX_MESSAGES) return [...chunks, footer];
  return capMessages(chunks, footer);
}

/** One line per file, in order of first citation, pages deduplicated and sorted. */
export function sourceLines(sources: AnswerSource[]): string[] {
  const byFile = new Map<string, Set<number>>();
  for (const s of sources) {
    const name = s.filename.replace(/\s+/g, " ").trim();
    if (!name) continue;
    const pages = byFile.get(name) ?? new Set<number>();
    byFile.set(name, pages);
    if (Number.isInteger(s.page) && s.page > 0) pages.add(s.page);
  }
  return [...byFile].map(([name, pages]) => {
    const list = [...pages].sort((a, b) => a - b);
    return list.length > 0 ? `📄 ${name}, p. ${list.join(", ")}` : `📄 ${name}`;
  });
}

/** The source lines, limited to a quarter of a message so the answer keeps the room. */
function sourcesFooter(sources: AnswerSource[]): string {
  const lines = sourceLines(sources);
  const budget = WHATSAPP_MAX_CHARS / 4;
  const kept: string[] = [];
  let size = 0;
  for (const [i, line] of lines.entries()) {
    const more = `📄 … (+${lines.length - i} more)`;
    const room = i === lines.length - 1 ? budget : budget - more.length - 1;
    if (size + line.length > room) {
      kept.push(size + more.length <= budget ? more : "📄 …");
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join("\n");
}

/** Keeps the first 9 messages; the 10th holds what fits of the rest, then "…" and the footer. */
function capMessages(chunks: string[], footer: string): string[] {
  if (chunks.length <= MAX_MESSAGES && !footer) return chunks;
  const head = chunks.slice(0, MAX_MESSAGES - 1);
  const rest = chunks.slice(MAX_MESSAGES - 1).join("\n\n");
  const room = WHATSAPP_MAX_CHARS - (footer ? footer.length + 2 : 0);
  const cut = rest.length <= room ? rest : truncate(rest, room);
  return [...head, footer ? `${cut}\n\n${footer}` : cut];
}

function truncate(text: string, max: number): string {
  const fenced = text.includes("```");
  const limit = max - 1 - (fenced ? 4 : 0);
  const { end } = findCut(text, limit, ["word"]);
  let cut = text.slice(0, end).trimEnd();
  if (fenced && openFence(cut)) cut += "\n```";
  return `${cut}…`;
}

/** Splits text into pieces of at most `limit` characters (UTF-16 units, as WhatsApp counts at most). */
export function splitMessages(text: string, limit = WHATSAPP_MAX_CHARS): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    // A code block cut in two is closed and reopened, which costs 4 characters.
    const fenced = rest.includes("```");
    const { end, next } = findCut(rest, fenced ? limit - 4 : limit, ["paragraph", "line", "sentence", "word"]);
    let head = rest.slice(0, end).trimEnd();
    let tail = rest.slice(next).replace(/^\n+/, "");
    if (fenced && openFence(head)) {
      head += "\n```";
      tail = `\`\`\`\n${tail}`;
    }
    if (head) chunks.push(head);
    rest = tail;
  }
  if (rest.trim()) chunks.push(rest);
  return chunks;
}

type Boundary = "paragraph" | "line" | "sentence" | "word";

/**
 * Where to cut text longer than max: the last boundary of the first kind that leaves the
 * piece at least half full, else the last word break, else exactly at max.
 */
function findCut(text: string, max: number, kinds: Boundary[]): { end: number; next: number } {
  const minimum = Math.floor(max / 2);
  for (const kind of kinds) {
    const found = lastBoundary(text, max, kind);
    if (found && (found.end >= minimum || (kind === "word" && found.end > 0))) return found;
  }
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // never split a surrogate pair (emoji)
  return { end, next: end };
}

function lastBoundary(text: string, max: number, kind: Boundary): { end: number; next: number } | null {
  if (kind === "paragraph" || kind === "line") {
    const sep = kind === "paragraph" ? "\n\n" : "\n";
    const at = text.lastIndexOf(sep, max);
    return at > 0 ? { end: at, next: at + sep.length } : null;
  }
  const window = text.slice(0, max + 1);
  const pattern = kind === "sentence" ? /[.!?…][)"'’”\]*_~]*(?=\s)|[。！？]/g : /\s/g;
  let found: { end: number; next: number } | null = null;
  for (const m of window.matchAll(pattern)) {
    const end = kind === "sentence" ? m.index + m[0].length : m.index;
    if (end > 0 && end <= max) found = { end, next: kind === "sentence" ? end : end + 1 };
  }
  if (found && kind === "sentence") found.next += /^\s/.test(text.slice(found.next)) ? 1 : 0;
  return found;
}

function openFence(text: string): boolean {
  return (text.match(/```/g)?.length ?? 0) % 2 === 1;
}
