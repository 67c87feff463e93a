import { describe, expect, it } from "vitest";
import { formatAnswer, sourceLines, splitMessages, toWhatsApp } from "@/lib/manychat/whatsapp-format";

const words = (s: string) => s.split(/\s+/).filter(Boolean);

// No database involved: run once, in the pglite project only.
describe.skipIf(process.env.TEST_DB === "postgres")("Markdown to WhatsApp", () => {
  it("converts bold, italic and strikethrough", () => {
    expect(toWhatsApp("**bold** and __also bold__")).toBe("*bold* and *also bold*");
    expect(toWhatsApp("*italic* and _also italic_")).toBe("_italic_ and _also italic_");
    expect(toWhatsApp("~~gone~~")).toBe("~gone~");
    expect(toWhatsApp("***both***")).toBe("*_both_*");
    expect(toWhatsApp("**Price:** *from* 10 €")).toBe("*Price:* _from_ 10 €");
  });

  it("leaves snake_case, lone asterisks and URLs alone", () => {
    expect(toWhatsApp("set max_upload_size to 5 * 3 * 2")).toBe("set max_upload_size to 5 * 3 * 2");
    expect(toWhatsApp("see https://example.com/a_b_c/*x*")).toBe("see https://example.com/a_b_c/*x*");
    expect(toWhatsApp(String.raw`a \*literal\* star`)).toBe("a *literal* star");
  });

  it("turns headings into bold lines", () => {
    expect(toWhatsApp("# Opening hours")).toBe("*Opening hours*");
    expect(toWhatsApp("### **Returns** policy ###")).toBe("*Returns policy*");
    expect(toWhatsApp("#hashtag")).toBe("#hashtag");
  });

  it("writes links as text followed by the URL", () => {
    expect(toWhatsApp("See [the catalogue](https://shop.example/cat_2025.pdf).")).toBe(
      "See the catalogue (https://shop.example/cat_2025.pdf).",
    );
    expect(toWhatsApp("[https://a.example](https://a.example)")).toBe("https://a.example");
    expect(toWhatsApp("<https://a.example/x>")).toBe("https://a.example/x");
  });

  it("turns bullets into • and keeps numbered lists", () => {
    expect(toWhatsApp("- one\n* two\n+ three\n  - nested")).toBe("• one\n• two\n• three\n  • nested");
    expect(toWhatsApp("1. first\n2) second **now**")).toBe("1. first\n2. second *now*");
    expect(toWhatsApp("- [ ] todo\n- [x] done")).toBe("• ☐ todo\n• ☑ done");
  });

  it("writes tables as lines of cells joined with |", () => {
    const table = "| Product | Price |\n|---|---:|\n| **Chair** | 49 € |\n| Table |  |";
    expect(toWhatsApp(`Prices:\n\n${table}\n\nThanks`)).toBe(
      "Prices:\n\nProduct | Price\n*Chair* | 49 €\nTable | -\n\nThanks",
    );
    expect(toWhatsApp("a | b\n--- | ---\n1 | 2")).toBe("a | b\n1 | 2");
  });

  it("keeps code verbatim in monospace", () => {
    expect(toWhatsApp("```js\nconst a = **b**;\n```")).toBe("```\nconst a = **b**;\n```");
    expect(toWhatsApp("Type `**help**` to start")).toBe("Type ```**help**``` to start");
    expect(toWhatsApp("```\nleft open")).toBe("```\nleft open\n```");
  });

  it("collapses runs of blank lines and drops rules", () => {
    expect(toWhatsApp("a\n\n\n\n\nb\n\n---\n\nc  \n")).toBe("a\n\nb\n\nc");
    expect(toWhatsApp("a\r\n\r\n\r\nb")).toBe("a\n\nb");
  });
});

describe.skipIf(process.env.TEST_DB === "postgres")("answer to WhatsApp messages", () => {
  it("appends one line per cited file, pages deduplicated, sorted and grouped", () => {
    const sources = [
      { filename: "catalogue.pdf", page: 7 },
      { filename: "faq.pdf", page: 1 },
      { filename: "catalogue.pdf", page: 3 },
      { filename: "catalogue.pdf", page: 7 },
    ];
    expect(sourceLines(sources)).toEqual(["📄 catalogue.pdf, p. 3, 7", "📄 faq.pdf, p. 1"]);
    expect(formatAnswer("**Yes**, we deliver.", sources)).toEqual([
      "*Yes*, we deliver.\n\n📄 catalogue.pdf, p. 3, 7\n📄 faq.pdf, p. 1",
    ]);
    expect(formatAnswer("Plain.", [])).toEqual(["Plain."]);
    expect(formatAnswer("", [])).toEqual([]);
  });

  it("does not convert text that is already WhatsApp syntax when told so", () => {
    expect(formatAnswer("*bold*", [], { markdown: false })).toEqual(["*bold*"]);
    expect(formatAnswer("*bold*", [])).toEqual(["_bold_"]);
  });

  it("splits a 10,000-character answer at paragraphs without losing anything", () => {
    const paragraphs = Array.from({ length: 46 }, (_, i) =>
      `Paragraph ${i}: ${"The warranty covers parts and labour for two years. ".repeat(4)}`.trim(),
    );
    const answer = paragraphs.join("\n\n");
    expect(answer.length).toBeGreaterThan(10_000);
    const messages = formatAnswer(answer, [{ filename: "warranty.pdf", page: 2 }]);

    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThanOrEqual(10);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(4096);
    // Cut between paragraphs: every message starts a paragraph.
    for (const m of messages) expect(m).toMatch(/^Paragraph \d+:/);
    const all = messages.join("\n\n");
    expect(all.split("📄").length - 1).toBe(1);
    expect(messages.at(-1)?.endsWith("📄 warranty.pdf, p. 2")).toBe(true);
    expect(words(all.replace("📄 warranty.pdf, p. 2", ""))).toEqual(words(answer));
  });

  it("cuts one long paragraph at sentences, then words, then characters", () => {
    const sentences = "This sentence has exactly forty-six characters. ".repeat(200);
    const bySentence = splitMessages(sentences, 4096);
    for (const m of bySentence) {
      expect(m.length).toBeLessThanOrEqual(4096);
      expect(m.endsWith("characters.")).toBe(true);
    }
    expect(words(bySentence.join(" "))).toEqual(words(sentences));

    const noPunctuation = "word ".repeat(2000);
    const byWord = splitMessages(noPunctuation, 4096);
    expect(byWord.every((m) => m.length <= 4096 && m.endsWith("word"))).toBe(true);
    expect(words(byWord.join(" "))).toEqual(words(noPunctuation));

    const oneToken = "x".repeat(9000);
    expect(splitMessages(oneToken, 4096).map((m) => m.length)).toEqual([4096, 4096, 808]);
  });

  it("never cuts an emoji in half", () => {
    const text = `a${"😀".repeat(3000)}`;
    const parts = splitMessages(text, 4096);
    expect(parts[0]?.length).toBe(4095);
    expect(parts.join("")).toBe(text);
  });

  it("closes and reopens a code block cut in two", () => {
    const code = `\`\`\`\n${Array.from({ length: 600 }, (_, i) => `line ${i} of code`).join("\n")}\n\`\`\``;
    const messages = formatAnswer(code, []);
    expect(messages.length).toBe(3);
    for (const m of messages) {
      expect(m.length).toBeLessThanOrEqual(4096);
      expect(m.startsWith("```\n")).toBe(true);
      expect(m.endsWith("\n```")).toBe(true);
    }
  });

  it("keeps at most 10 messages: the last is cut with … and still carries the sources", () => {
    const answer = Array.from(
      { length: 400 },
      (_, i) => `Paragraph ${i}. ${"Lorem ipsum dolor sit amet. ".repeat(5)}`,
    ).join("\n\n");
    expect(answer.length).toBeGreaterThan(50_000);
    const sources = [{ filename: "manual.pdf", page: 12 }];
    const messages = formatAnswer(answer, sources);

    expect(messages).toHaveLength(10);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(4096);
    const last = messages[9] as string;
    expect(last).toMatch(/…\n\n📄 manual\.pdf, p\. 12$/);
    expect(messages.join("\n").split("📄").length - 1).toBe(1);
    // Everything before the cut is there, in order.
    const kept = words(messages.join("\n\n").replace(/…\n\n📄 manual\.pdf, p\. 12$/, ""));
    expect(kept).toEqual(words(answer).slice(0, kept.length));
  });

  it("gives the sources their own message when the last one is full", () => {
    const answer = `${"a".repeat(4000)}\n\n${"b".repeat(4090)}`;
    const messages = formatAnswer(answer, [{ filename: "x.pdf", page: 1 }]);
    expect(messages).toEqual(["a".repeat(4000), "b".repeat(4090), "📄 x.pdf, p. 1"]);
  });
});
