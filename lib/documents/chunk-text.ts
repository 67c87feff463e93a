/**
 * Splits a document's pages into passages for retrieval: about 500-800 tokens each,
 * breaking at headings and paragraphs rather than mid-thought, with a short overlap so
 * a fact straddling two passages is found in either. Each chunk knows its page(s).
 */
export interface PageText {
  page: number;
  text: string;
}

export interface Chunk {
  index: number;
  pageStart: number;
  pageEnd: number;
  /** Offsets in content where pages pageStart+1 … pageEnd begin. */
  pageOffsets: number[];
  content: string;
  tokenCount: number;
}

export interface ChunkOptions {
  targetTokens: number;
  maxTokens: number;
  overlapTokens: number;
}

const defaults: ChunkOptions = { targetTokens: 600, maxTokens: 800, overlapTokens: 80 };

/** A cheap token estimate (Gemini averages about 4 characters per token in Latin scripts). */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

interface Block {
  page: number;
  text: string;
  heading: boolean;
}

export function chunkPages(pages: PageText[], options: Partial<ChunkOptions> = {}): Chunk[] {
  const opts = { ...defaults, ...options };
  const blocks = pages.flatMap((p) => toBlocks(p, opts.maxTokens));
  const chunks: Chunk[] = [];
  let current: Block[] = [];
  let tokens = 0;

  const flush = (overlap = true) => {
    if (current.length === 0) return;
    const content = current.map((b) => b.text).join("\n\n");
    const pageOffsets: number[] = [];
    let offset = 0;
    current.forEach((b, i) => {
      const previous = current[i - 1];
      // One offset per page boundary crossed (an empty page in between repeats it).
      if (previous) for (let page = previous.page + 1; page <= b.page; page++) pageOffsets.push(offset);
      offset += b.text.length + 2;
    });
    chunks.push({
      index: chunks.length,
      pageStart: Math.min(...current.map((b) => b.page)),
      pageEnd: Math.max(...current.map((b) => b.page)),
      pageOffsets,
      content,
      tokenCount: estimateTokens(content),
    });
    if (!overlap) {
      current = [];
      tokens = 0;
      return;
    }
    // Carry the tail of this chunk into the next one (never a lone heading).
    const carried: Block[] = [];
    let carriedTokens = 0;
    for (let i = current.length - 1; i >= 0; i--) {
      const b = current[i] as Block;
      const t = estimateTokens(b.text);
      if (b.heading || carriedTokens + t > opts.overlapTokens) break;
      carried.unshift(b);
      carriedTokens += t;
    }
    const last = current[current.length - 1] as Block;
    if (carried.length === 0 && !last.heading) {
      // The last paragraph is too long to repeat whole: repeat its closing sentences.
      const sentences = last.text.match(/[^.!?]+[.!?]+["')\]]*\s*/g) ?? [];
      let tail = "";
      for (let i = sentences.length - 1; i >= 1; i--) {
        const next = (sentences[i] as string) + tail;
        if (estimateTokens(next) > opts.overlapTokens) break;
        tail = next;
      }
      if (tail.trim()) {
        carried.push({ page: last.page, text: tail.trim(), heading: false });
        carriedTokens = estimateTokens(tail);
      }
    }
    current = carried;
    tokens = carriedTokens;
  };

  for (const block of blocks) {
    const t = estimateTokens(block.text);
    const onlyOverlap = current.length > 0 && chunks.length > 0 && tokens <= opts.overlapTokens;
    // A heading starts a new passage once the current one has substance.
    // A new section needs no overlap with the previous one.
    if (block.heading && tokens >= opts.targetTokens / 2 && !onlyOverlap) flush(false);
    if (tokens + t > opts.maxTokens && !onlyOverlap) flush();
    if (tokens + t > opts.maxTokens && onlyOverlap) {
      current = [];
      tokens = 0;
    }
    current.push(block);
    tokens += t;
    if (tokens >= opts.targetTokens) flush();
  }
  // The trailing overlap alone repeats what the last chunk already holds.
  if (current.length > 0 && !(chunks.length > 0 && tokens <= opts.overlapTokens)) flush();
  return chunks;
}

/** Paragraphs of a page; oversized ones split at sentence boundaries. */
function toBlocks(page: PageText, maxTokens: number): Block[] {
  const out: Block[] = [];
  for (const para of page.text.split(/\n{2,}/)) {
    const text = para.replace(/\s*\n\s*/g, " ").trim();
    if (!text) continue;
    const heading = isHeading(para.trim());
    if (estimateTokens(text) <= maxTokens) {
      out.push({ page: page.page, text, heading });
      continue;
    }
    let piece = "";
    for (const sentence of text.match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [text]) {
      if (estimateTokens(piece + sentence) > maxTokens && piece) {
        out.push({ page: page.page, text: piece.trim(), heading: false });
        piece = "";
      }
      // A single "sentence" longer than the limit (a table dump): hard split.
      let s = sentence;
      while (estimateTokens(s) > maxTokens) {
        out.push({ page: page.page, text: s.slice(0, maxTokens * 4).trim(), heading: false });
        s = s.slice(maxTokens * 4);
      }
      piece += s;
    }
    if (piece.trim()) out.push({ page: page.page, text: piece.trim(), heading: false });
  }
  return out;
}

function isHeading(para: string): boolean {
  if (para.includes("\n") || para.length > 90) return false;
  if (/^#{1,6}\s/.test(para)) return true;
  if (/[.,;:!?]$/.test(para)) return false;
  const words = para.split(/\s+/);
  return words.length <= 12 && /^[\p{Lu}\d]/u.test(para);
}
