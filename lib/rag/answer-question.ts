import "server-only";
import { embedTexts, GeminiError, geminiConfigured, generateText } from "@/lib/ai/gemini-client";
import { type Claims, withTenant } from "@/lib/db/client";
import { generateGroundedAnswer, type NumberedSource, politeReply } from "./generate-answer";
import { isCovered, type Passage, retrievePassages } from "./retrieve-passages";

/**
 * The answering pipeline shared by WhatsApp messages, POST /query and the playground:
 * standalone question from the recent turns → hybrid retrieval (tenant-scoped by RLS) →
 * an honest refusal when the documents do not cover it → grounded generation with
 * Gemini, or an extractive answer without a key.
 */
export interface AnswerSource {
  document_id: string;
  filename: string;
  page: number;
  chunk_id: string;
  score: number;
  excerpt: string;
}

export interface Answer {
  answer: string;
  answered: boolean;
  sources: AnswerSource[];
  mode: "generative" | "extractive";
  usage: { prompt_tokens: number; output_tokens: number; total_tokens: number; embedding_calls: number };
  latency_ms: number;
  /** The question actually searched (rewritten from the conversation when needed). */
  standalone_question: string;
}

export interface Turn {
  direction: "inbound" | "outbound";
  content: string;
}

const PASSAGES = 8;
const SOURCES_FOR_GENERATION = 6;

export async function answerQuestion(input: {
  claims: Claims;
  company: string;
  language: string;
  refusalText: string;
  question: string;
  history: Turn[];
  signal?: AbortSignal;
}): Promise<Answer> {
  const started = performance.now();
  const usage = { prompt_tokens: 0, output_tokens: 0, total_tokens: 0, embedding_calls: 0 };
  const generative = geminiConfigured();
  const question = generative
    ? await standaloneQuestion(input.question, input.history, usage, input.signal)
    : input.question;

  let queryEmbedding: number[] | null = null;
  if (generative) {
    const [vector] = await embedTexts([question], { task: "RETRIEVAL_QUERY", signal: input.signal });
    queryEmbedding = vector ?? null;
    usage.embedding_calls += 1;
  }
  const passages = await withTenant(input.claims, (tx) =>
    retrievePassages(tx, { question, queryEmbedding, language: input.language, limit: PASSAGES }),
  );
  const finish = (answer: string, answered: boolean, used: Passage[]): Answer => ({
    answer,
    answered,
    sources: used.map((p) => toSource(p, answered ? `${answer} ${question}` : question)),
    mode: generative ? "generative" : "extractive",
    usage,
    latency_ms: Math.round(performance.now() - started),
    standalone_question: question,
  });

  if (passages.length === 0 || !isCovered(passages, question)) return finish(input.refusalText, false, []);

  if (!generative) {
    const best = passages.slice(0, 2);
    return finish(extractiveAnswer(best), true, best);
  }

  const numbered: NumberedSource[] = passages.slice(0, SOURCES_FOR_GENERATION).map((p, i) => ({
    n: i + 1,
    filename: p.filename,
    page: p.pageStart,
    content: p.content,
  }));
  const generated = await generateGroundedAnswer({
    company: input.company,
    language: input.language,
    question,
    sources: numbered,
    signal: input.signal,
  });
  usage.prompt_tokens += generated.usage.promptTokens;
  usage.output_tokens += generated.usage.outputTokens;
  usage.total_tokens += generated.usage.totalTokens;
  const polite = politeReply(generated.outcome, input.language);
  if (polite) return finish(polite, false, []);
  if (!generated.answered) return finish(input.refusalText, false, []);
  const cited = generated.cited.length > 0 ? generated.cited : [1];
  const used = cited.map((n) => passages[n - 1]).filter((p): p is Passage => Boolean(p));
  return finish(generated.text, true, used);
}

function toSource(p: Passage, evidence: string): AnswerSource {
  return {
    document_id: p.documentId,
    filename: p.filename,
    page: citedPage(p, evidence),
    chunk_id: p.chunkId,
    score: Math.round(p.score * 1000) / 1000,
    excerpt: p.content.length > 300 ? `${p.content.slice(0, 297)}…` : p.content,
  };
}

/** Without Gemini: the best passage, trimmed at a sentence, clearly marked as an excerpt. */
export function extractiveAnswer(passages: Passage[]): string {
  const best = passages[0]?.content ?? "";
  if (best.length <= 700) return best;
  const cut = best.slice(0, 700);
  const end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("! "), cut.lastIndexOf("? "));
  return `${end > 200 ? cut.slice(0, end + 1) : cut}…`;
}

/** Turns a follow-up ("and in blue?") into a question that stands on its own. */
async function standaloneQuestion(
  question: string,
  history: Turn[],
  usage: Answer["usage"],
  signal?: AbortSignal,
): Promise<string> {
  if (history.length === 0) return question;
  const transcript = history
    .map((t) => `${t.direction === "inbound" ? "Customer" : "Assistant"}: ${t.content.slice(0, 500)}`)
    .join("\n");
  try {
    const res = await generateText({
      system:
        "Rewrite the customer's last message as one standalone question that can be understood without the conversation. Keep the customer's language. Output only the question.",
      contents: `Conversation:\n${transcript}\n\nLast message:\n${question}`,
      temperature: 0,
      maxOutputTokens: 200,
      signal,
    });
    usage.prompt_tokens += res.usage.promptTokens;
    usage.output_tokens += res.usage.outputTokens;
    usage.total_tokens += res.usage.totalTokens;
    const rewritten = res.text.trim();
    return rewritten && rewritten.length < 1000 && !res.blockReason ? rewritten : question;
  } catch (err) {
    if (err instanceof GeminiError && err.retryable) throw err;
    return question;
  }
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 2),
  );

/** The page of a passage that shares most words with the answer (a passage may span pages). */
export function citedPage(p: Pick<Passage, "pageStart" | "pageOffsets" | "content">, evidence: string): number {
  if (p.pageOffsets.length === 0) return p.pageStart;
  const wanted = words(evidence);
  const bounds = [0, ...p.pageOffsets, p.content.length];
  let best = { page: p.pageStart, score: -1 };
  for (let i = 0; i < bounds.length - 1; i++) {
    const segment = words(p.content.slice(bounds[i], bounds[i + 1]));
    const score = [...wanted].filter((w) => segment.has(w)).length;
    if (score > best.score) best = { page: p.pageStart + i, score };
  }
  return best.page;
}
