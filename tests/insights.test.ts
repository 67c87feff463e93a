import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Identity } from "@/lib/auth/identity";
import { messages } from "@/lib/db/schema";
import { openDirectDatabase } from "./support/direct-db";
import { type SeededTenant, seedTenant } from "./support/seed";

// The Insights page's figures (lib/insights), computed under each tenant's row-level
// security: each tenant sees its own questions, volumes, latencies and documents, and
// none of another's, on both databases.

let db: Awaited<ReturnType<typeof openDirectDatabase>>;
let insights: {
  unanswered: typeof import("@/lib/insights/unanswered-questions");
  volume: typeof import("@/lib/insights/daily-volume");
  latency: typeof import("@/lib/insights/answer-latency");
  cited: typeof import("@/lib/insights/cited-documents");
};
let a: SeededTenant;
let b: SeededTenant;

const identityOf = (t: SeededTenant): Identity => ({
  userId: t.userId,
  email: t.email,
  role: "account_user",
  customerId: t.customerId,
  customerStatus: "active",
  sessionId: null,
  via: "bearer",
});

const secondsAgo = (n: number) => new Date(Date.now() - n * 1000).toISOString();
const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600 * 1000).toISOString();
const today = () => new Date().toISOString().slice(0, 10);

type NewMessage = typeof messages.$inferInsert;

async function insert(t: SeededTenant, rows: Omit<NewMessage, "customerId" | "subscriberId">[]) {
  await db.asService("test fixture", (tx) =>
    tx.insert(messages).values(rows.map((r) => ({ customerId: t.customerId, subscriberId: "sub-insights", ...r }))),
  );
}

const source = (t: SeededTenant, filename: string, page: number) => ({
  document_id: t.ids.documents,
  filename,
  page,
  chunk_id: t.ids.document_chunks,
  score: 0.9,
  excerpt: "…",
});

beforeAll(async () => {
  db = await openDirectDatabase();
  insights = {
    unanswered: await import("@/lib/insights/unanswered-questions"),
    volume: await import("@/lib/insights/daily-volume"),
    latency: await import("@/lib/insights/answer-latency"),
    cited: await import("@/lib/insights/cited-documents"),
  };
  a = await seedTenant("Alpha");
  b = await seedTenant("Bravo");
  // Alpha: one question asked three ways, another once, one answered (cited p. 3 and 4),
  // one failed; and an unanswered question from long ago, outside every period.
  await insert(a, [
    { direction: "inbound", content: "Do you ship to Mars?", status: "unanswered", createdAt: secondsAgo(30) },
    { direction: "inbound", content: "  do you   ship to mars ", status: "unanswered", createdAt: secondsAgo(20) },
    { direction: "inbound", content: "¿Do you ship to MARS?!", status: "unanswered", createdAt: secondsAgo(10) },
    { direction: "inbound", content: "Is there a loyalty card?", status: "unanswered" },
    { direction: "inbound", content: "What does the widget cost?", status: "answered" },
    { direction: "inbound", content: "Hello?", status: "failed" },
    { direction: "inbound", content: "An old question", status: "unanswered", createdAt: daysAgo(120) },
    {
      direction: "outbound",
      content: "12 euros",
      status: "sent",
      latencyMs: 100,
      sources: [source(a, "Alpha-catalogue.pdf", 3), source(a, "Alpha-catalogue.pdf", 4)],
    },
    {
      direction: "outbound",
      content: "…",
      status: "sent",
      latencyMs: 200,
      sources: [source(a, "Alpha-catalogue.pdf", 3)],
    },
    { direction: "outbound", content: "…", status: "sent", latencyMs: 300 },
    { direction: "outbound", content: "…", status: "sent", latencyMs: 1000 },
    { direction: "outbound", content: "old", status: "sent", latencyMs: 99_000, createdAt: daysAgo(40) },
  ]);
  // Bravo: its own unanswered question, a slow answer citing its own catalogue.
  await insert(b, [
    { direction: "inbound", content: "Bravo's secret question", status: "unanswered" },
    { direction: "inbound", content: "Do you ship to Mars?", status: "unanswered" },
    {
      direction: "outbound",
      content: "…",
      status: "sent",
      latencyMs: 7000,
      sources: [source(b, "Bravo-catalogue.pdf", 9)],
    },
  ]);
}, 60_000);

afterAll(async () => {
  await db?.closeDatabase();
});

describe(`insights on ${process.env.TEST_DB}`, () => {
  it("groups a tenant's unanswered questions by their normalized text, most asked first", async () => {
    const { items, total_groups } = await insights.unanswered.unansweredQuestions(identityOf(a));
    expect(total_groups).toBe(2);
    expect(items.map((q) => [q.normalized, q.times_asked])).toEqual([
      ["do you ship to mars", 3],
      ["is there a loyalty card", 1],
    ]);
    expect(items[0]?.example).toBe("¿Do you ship to MARS?!");
    expect(Date.parse(items[0]?.last_asked_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(items)).not.toMatch(/Bravo|old question/);

    const bravo = await insights.unanswered.unansweredQuestions(identityOf(b));
    expect(bravo.items.map((q) => [q.normalized, q.times_asked])).toEqual([
      ["bravo's secret question", 1],
      ["do you ship to mars", 1],
    ]);
  });

  it("counts a tenant's own messages per day, every day of the period listed", async () => {
    const { days, totals } = await insights.volume.dailyVolume(identityOf(a));
    expect(days).toHaveLength(30);
    expect(days[days.length - 1]?.day).toBe(today());
    // Six questions today plus the seeded "Hello Alpha" (still pending); the old one is out.
    expect(totals).toEqual({ received: 7, answered: 1, unanswered: 4, failed: 1, other: 1 });
    expect(days[days.length - 1]).toMatchObject({ received: 7, answered: 1, unanswered: 4, failed: 1 });
    expect(days.slice(0, -1).every((d) => d.received === 0)).toBe(true);

    const bravo = await insights.volume.dailyVolume(identityOf(b));
    expect(bravo.totals).toEqual({ received: 3, answered: 0, unanswered: 2, failed: 0, other: 1 });
  });

  it("computes the median and 95th percentile of the tenant's own answer times", async () => {
    const { days, overall } = await insights.latency.answerLatency(identityOf(a));
    // 100, 200, 300, 1000 ms (interpolated percentiles); Bravo's 7 s and the 40-day-old answer are out.
    expect(overall).toEqual({ answers: 4, p50_ms: 250, p95_ms: 895 });
    expect(days).toHaveLength(30);
    expect(days[days.length - 1]).toEqual({ day: today(), answers: 4, p50_ms: 250, p95_ms: 895 });
    expect(days[0]).toMatchObject({ answers: 0, p50_ms: null, p95_ms: null });

    expect((await insights.latency.answerLatency(identityOf(b))).overall).toEqual({
      answers: 1,
      p50_ms: 7000,
      p95_ms: 7000,
    });
  });

  it("ranks the documents the tenant's answers cited, with their most cited pages", async () => {
    expect(await insights.cited.citedDocuments(identityOf(a))).toEqual([
      {
        document_id: a.ids.documents,
        filename: "Alpha-catalogue.pdf",
        answers: 2,
        top_pages: [3, 4],
        last_cited_at: expect.any(String),
        still_uploaded: true,
      },
    ]);
    const bravo = await insights.cited.citedDocuments(identityOf(b));
    expect(bravo.map((d) => [d.filename, d.top_pages])).toEqual([["Bravo-catalogue.pdf", [9]]]);
  });

  it("a tenant with no messages gets empty figures", async () => {
    const c = await seedTenant("Charlie");
    await db.asService("test fixture", (tx) => tx.delete(messages).where(eq(messages.customerId, c.customerId)));
    const id = identityOf(c);
    expect(await insights.unanswered.unansweredQuestions(id)).toEqual({ items: [], total_groups: 0 });
    const volume = await insights.volume.dailyVolume(id);
    expect(volume.totals.received).toBe(0);
    expect(volume.days).toHaveLength(30);
    expect((await insights.latency.answerLatency(id)).overall).toEqual({ answers: 0, p50_ms: null, p95_ms: null });
    expect(await insights.cited.citedDocuments(id)).toEqual([]);
  });
});
