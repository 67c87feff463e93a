import "server-only";
import { type Schema, Type } from "@google/genai";
import { generateText } from "@/lib/ai/gemini-client";

/**
 * Grounded generation: Gemini sees only the numbered passages and answers with
 * structured output: whether the sources answer the question, which source numbers it
 * used, and the reply text (sent to WhatsApp with "📄 file, p. N" lines appended).
 */
export interface NumberedSource {
  n: number;
  filename: string;
  page: number;
  content: string;
}

export interface GeneratedAnswer {
  text: string;
  /** Numbers of the sources the answer cites. */
  cited: number[];
  /** false when the model said the sources do not answer the question. */
  answered: boolean;
  /** A refusal by the model's safety or recitation rules, or a truncated answer. */
  outcome: "ok" | "blocked" | "safety" | "recitation" | "truncated";
  usage: { promptTokens: number; outputTokens: number; totalTokens: number };
}

const NOT_FOUND = "NOT_FOUND";

export const answerSchema: Schema = {
  type: Type.OBJECT,
  properties: {
    answered: { type: Type.BOOLEAN },
    sources: { type: Type.ARRAY, items: { type: Type.INTEGER } },
    answer: { type: Type.STRING },
  },
  required: ["answered", "sources", "answer"],
  propertyOrdering: ["answered", "sources", "answer"],
};

interface StructuredAnswer {
  answered?: unknown;
  sources?: unknown;
  answer?: unknown;
}

const languageNames: Record<string, string> = {
  fr: "French",
  en: "English",
  es: "Spanish",
  de: "German",
  it: "Italian",
  pt: "Portuguese",
  nl: "Dutch",
  ar: "Arabic",
};

export function systemInstruction(company: string, defaultLanguage: string): string {
  return [
    `You answer WhatsApp messages from customers of ${company}.`,
    "Use ONLY the numbered sources below. Do not use any other knowledge, and never invent prices, dates, names or policies.",
    'Respond in JSON: "answered" is false when the sources do not contain the answer; "sources" lists the numbers of the sources you used; "answer" is the reply to send, without source numbers.',
    `Reply in the customer's language (if unclear, ${languageNames[defaultLanguage] ?? "the language of the question"}).`,
    "Be brief and friendly: at most 5 short sentences or a short list, suitable for WhatsApp. No headings, no tables.",
  ].join("\n");
}

export function promptFor(question: string, sources: NumberedSource[]): string {
  // One line per source keeps the numbering unambiguous.
  const numbered = sources
    .map((s) => `[${s.n}] (${s.filename}, page ${s.page}) ${s.content.replace(/\s+/g, " ").trim()}`)
    .join("\n\n");
  return `Sources:\n${numbered}\n\nCustomer question:\n${question}`;
}

export async function generateGroundedAnswer(input: {
  company: string;
  language: string;
  question: string;
  sources: NumberedSource[];
  signal?: AbortSignal;
}): Promise<GeneratedAnswer> {
  const res = await generateText({
    system: systemInstruction(input.company, input.language),
    contents: promptFor(input.question, input.sources),
    responseMimeType: "application/json",
    responseSchema: answerSchema,
    temperature: 0.2,
    maxOutputTokens: 1024,
    signal: input.signal,
  });
  const base = { usage: res.usage };
  if (res.blockReason) return { ...base, text: "", cited: [], answered: false, outcome: "blocked" };
  if (res.finishReason === "SAFETY") return { ...base, text: "", cited: [], answered: false, outcome: "safety" };
  if (res.finishReason === "RECITATION")
    return { ...base, text: "", cited: [], answered: false, outcome: "recitation" };
  const parsed = parseStructured(res.text);
  const raw = (parsed ? String(parsed.answer ?? "") : res.text).trim();
  if ((parsed && parsed.answered === false) || !raw || raw.startsWith(NOT_FOUND)) {
    return { ...base, text: "", cited: [], answered: false, outcome: "ok" };
  }
  const valid = new Set(input.sources.map((s) => s.n));
  const listed = parsed && Array.isArray(parsed.sources) ? parsed.sources.map(Number) : [];
  const inline = [...raw.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  const cited = [...new Set([...listed, ...inline])].filter((n) => valid.has(n));
  const text = raw
    .replace(/\s*\[(\d+)\]/g, "")
    .replace(/[ \t]+\n/g, "\n")
    .trim();
  return {
    ...base,
    text,
    cited,
    answered: true,
    outcome: res.finishReason === "MAX_TOKENS" ? "truncated" : "ok",
  };
}

/** The JSON answer, or null when the text is not JSON (e.g. cut short by MAX_TOKENS). */
function parseStructured(text: string): StructuredAnswer | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as StructuredAnswer) : null;
  } catch {
    const partial = /"answer"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(text)?.[1];
    return partial ? { answered: true, sources: [], answer: partial.replace(/\\n/g, "\n").replace(/\\"/g, '"') } : null;
  }
}

/** What the customer is told when generation is refused, by outcome. */
export function politeReply(outcome: GeneratedAnswer["outcome"], language: string): string | null {
  const fr = language === "fr";
  switch (outcome) {
    case "blocked":
    case "safety":
      return fr
        ? "Désolé, je ne peux pas répondre à ce message. Un membre de l'équipe vous recontactera si besoin."
        : "Sorry, I can't answer this message. A member of the team will get back to you if needed.";
    case "recitation":
      return fr
        ? "Désolé, je ne peux pas reproduire ce contenu tel quel. Pouvez-vous préciser votre question ?"
        : "Sorry, I can't reproduce that content verbatim. Could you make your question more specific?";
    default:
      return null;
  }
}
