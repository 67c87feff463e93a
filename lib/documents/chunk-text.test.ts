import { describe, expect, it } from "vitest";
import { chunkPages, estimateTokens } from "./chunk-text";

const sentence = (i: number) => `Sentence number ${i} describes a product feature in some useful detail for customers.`;
const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, i) => sentence(from + i)).join(" ");

if (process.env.TEST_DB !== "postgres")
  describe("chunkPages", () => {
    it("keeps a short page as one chunk with its page number", () => {
      const chunks = chunkPages([{ page: 3, text: "Warranty\n\nThe X200 warranty lasts 5 years." }]);
      expect(chunks).toEqual([
        expect.objectContaining({
          index: 0,
          pageStart: 3,
          pageEnd: 3,
          content: "Warranty\n\nThe X200 warranty lasts 5 years.",
        }),
      ]);
    });

    it("produces chunks of about 500-800 tokens over long text, with overlap", () => {
      const pages = Array.from({ length: 20 }, (_, p) => ({
        page: p + 1,
        text: [paragraph(p * 30, 10), paragraph(p * 30 + 10, 10), paragraph(p * 30 + 20, 10)].join("\n\n"),
      }));
      const chunks = chunkPages(pages);
      expect(chunks.length).toBeGreaterThan(5);
      for (const c of chunks.slice(0, -1)) {
        expect(c.tokenCount).toBeGreaterThanOrEqual(400);
        expect(c.tokenCount).toBeLessThanOrEqual(800);
      }
      // Every sentence survives, and consecutive chunks share some text.
      const all = chunks.map((c) => c.content).join(" ");
      for (let i = 0; i < 600; i += 37) expect(all).toContain(sentence(i));
      const overlaps = chunks.slice(1).filter((c, i) => {
        const prevTail = (chunks[i] as { content: string }).content.slice(-200);
        return c.content.includes(prevTail.slice(-80));
      });
      expect(overlaps.length).toBeGreaterThan(0);
    });

    it("records the pages a chunk spans", () => {
      const chunks = chunkPages([
        { page: 1, text: paragraph(0, 5) },
        { page: 2, text: paragraph(5, 5) },
      ]);
      expect(chunks).toHaveLength(1);
      expect(chunks[0]).toMatchObject({ pageStart: 1, pageEnd: 2 });
      const content = (chunks[0] as { content: string }).content;
      const [offset] = (chunks[0] as { pageOffsets: number[] }).pageOffsets;
      expect(content.slice(offset)).toMatch(/^Sentence number 5 /);
    });

    it("starts a new chunk at a heading once the current one has substance", () => {
      const chunks = chunkPages([
        { page: 1, text: `${paragraph(0, 12)}\n\n${paragraph(12, 12)}\n\nReturns policy\n\n${paragraph(100, 5)}` },
      ]);
      const withHeading = chunks.find((c) => c.content.includes("Returns policy"));
      expect(withHeading?.content.startsWith("Returns policy")).toBe(true);
    });

    it("splits an enormous paragraph without losing text", () => {
      const huge = paragraph(0, 200);
      const chunks = chunkPages([{ page: 1, text: huge }]);
      expect(chunks.length).toBeGreaterThan(2);
      for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(800);
      expect(chunks.map((c) => c.content).join(" ")).toContain(sentence(199));
      expect(estimateTokens(huge)).toBeGreaterThan(800);
    });

    it("ignores empty pages", () => {
      expect(
        chunkPages([
          { page: 1, text: "  " },
          { page: 2, text: "" },
        ]),
      ).toEqual([]);
    });
  });
