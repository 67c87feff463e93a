import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startManychatFake } from "../fakes/manychat";
import { api, signUp } from "../support/api";
import { type AppServer, SERVER_ENTRY, startAppServer, tempDataDir } from "../support/app-server";
import { uploadPdf, waitForDocument } from "../support/documents";
import {
  contentBombPdf,
  deepNestingPdf,
  fontBombPdf,
  garbagePdf,
  hugeCountPdf,
  hugeImagePdf,
  imageBombPdf,
  loopPdf,
  nulTextPdf,
  truncatedPdf,
} from "../support/hostile-pdfs";
import { encryptedPdf, textPdf } from "../support/pdf-fixtures";
import { createDatabase } from "../support/postgres-admin";
import { postWebhook, tenantWithDocument } from "../support/webhook";

// Hostile PDFs (issue: one PDF froze the whole server, and came back after every restart).
// PDFs are read in a reader process with memory and time limits (lib/documents/pdf-text.ts);
// a job whose worker died more often than it may be attempted ends failed; texts that
// PostgreSQL refuses (NUL) are cleaned before they are stored, also in error messages.
const postgres = process.env.TEST_DB === "postgres";
const encryptionKey = randomBytes(32).toString("base64");
const LEASE_SECONDS = 3;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let database: { url: string; drop: () => Promise<void> } | null = null;
let bomb: Uint8Array;

beforeAll(async () => {
  manychat = await startManychatFake();
  // A database of its own: the shared app server's sweeper must not take these jobs.
  if (postgres) database = await createDatabase("pa_hostile");
  bomb = await contentBombPdf(400);
});
afterAll(async () => {
  await manychat?.close();
  await database?.drop();
});

function serverEnv(): Record<string, string> {
  return {
    ENCRYPTION_KEY: encryptionKey,
    ...(database ? { DATABASE_URL: database.url } : {}),
    MANYCHAT_API_URL: manychat.url,
    GEMINI_API_KEY: "",
    JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    SWEEPER_INTERVAL_MS: "250",
    WEBHOOK_RATE_LIMIT_PER_TENANT: "100000",
    LOG_LEVEL: "warn",
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The latency bound for a server that is not frozen. 200 ms is the acceptance bound; on a
 * machine already overloaded by other work before this file starts (load average above
 * one and a half times its CPU count) the same server without any PDF shows spikes of
 * 500+ ms, so there the bound is 1 s: still far below what a parse in the server's own
 * process causes (minutes without an answer). The figures are printed either way.
 */
const loadAtStart = os.loadavg()[0] ?? 0;
function latencyBound(ms: number): number {
  if (loadAtStart <= os.cpus().length * 1.5) return ms;
  console.warn(`machine overloaded (load ${loadAtStart.toFixed(1)} at start): latency bound 1000 ms, not ${ms} ms`);
  return Math.max(ms, 1000);
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/**
 * Asks /health every `everyMs`, one request at a time; a reply that fails or never comes
 * counts as its full wait. Every 20 ms gives a few hundred samples over a bomb's life, so
 * the p99 is a percentile and not simply the slowest reply (which a freeze would still
 * make: it holds every later probe, and the tests also bound the maximum).
 */
function healthProbe(url: string, everyMs = 20) {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        samples.push(res.ok ? performance.now() - started : 5000);
      } catch {
        samples.push(5000);
      }
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Sends `perSecond` webhook deliveries of one tenant, each from a new WhatsApp subscriber. */
function webhookLoad(url: string, secret: string, perSecond = 20) {
  const results: { status: number; ms: number }[] = [];
  let running = true;
  const loop = (async () => {
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    for (let n = 0; running; n++) {
      await sleep(Math.max(0, start + (n * 1000) / perSecond - performance.now()));
      inflight.push(
        (async () => {
          const t = performance.now();
          const res = await postWebhook(
            secret,
            { subscriber_id: `load-${n}-${randomBytes(3).toString("hex")}`, text: "What are your opening hours?" },
            {},
            url,
          );
          results.push({ status: res.status, ms: performance.now() - t });
        })(),
      );
    }
    await Promise.all(inflight);
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return results;
    },
  };
}

/** Processes whose command line matches, with their parent's pid (Linux /proc). */
function processes(): { pid: number; ppid: number; cmd: string }[] {
  const out: { pid: number; ppid: number; cmd: string }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.push({ pid: Number(entry), ppid, cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const serverPid = (server: AppServer) => {
  const port = new URL(server.url).port;
  return processes().find((p) => p.cmd.includes(SERVER_ENTRY) && p.cmd.includes(` -p ${port} `))?.pid;
};
/** The server's PDF launcher (lib/documents/pdf-launcher.mjs), which forks its readers. */
const launcherOf = (pid: number | undefined) =>
  processes().find((p) => p.ppid === pid && p.cmd.includes("pdf-launcher.mjs"));
const readersOf = (pid: number | undefined) => {
  const launcher = launcherOf(pid);
  return launcher ? processes().filter((p) => p.ppid === launcher.pid && p.cmd.includes("pdf-worker.mjs")) : [];
};

/** Waits until one of the servers runs a PDF reader; returns that server and the reader's pid. */
async function readerRunning(servers: AppServer[], timeoutMs = 20_000) {
  const pids = servers.map(serverPid);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [i, pid] of pids.entries()) {
      const [reader] = readersOf(pid);
      if (reader) return { server: servers[i] as AppServer, reader: reader.pid };
    }
    if (Date.now() > deadline) throw new Error("no PDF reader process started");
    await sleep(10);
  }
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);

/** Uses up a job's attempts from outside the app (the server is down), as if every one had crashed. */
async function exhaustAttempts(dataDir: string, documentId: string) {
  vi.resetModules();
  const { openDirectDatabase } = await import("../support/direct-db");
  const db = await openDirectDatabase({ dataDir, databaseUrl: database?.url, encryptionKey });
  try {
    const updated = await db.asService("test setup", (tx) =>
      db.rows<{ status: string }>(
        tx,
        sql`update jobs set attempts = max_attempts
            where payload ->> 'document_id' = ${documentId} returning status`,
      ),
    );
    expect(updated).toEqual([{ status: "running" }]);
  } finally {
    await db.closeDatabase();
  }
}

describe("a PDF that inflates to 400 MB", () => {
  let server: AppServer | null = null;
  afterAll(async () => {
    await server?.stop();
  });

  it("fails with its reason while the server keeps answering /health and another tenant's webhook", async () => {
    await server?.stop();
    server = await startAppServer(serverEnv(), { dataDir: tempDataDir("bomb") });
    const other = await tenantWithDocument([["We are open from 9 to 17 every day."]], "hours.pdf", {
      baseUrl: server.url,
    });
    const attacker = await signUp({}, server.url);
    const load = webhookLoad(server.url, other.secret, 20);
    // The same load without any PDF first: what /health costs here anyway.
    await sleep(500);
    const baseline = healthProbe(server.url);
    await sleep(3000);
    const before = await baseline.stop();
    const health = healthProbe(server.url);
    await sleep(500);

    const uploaded = performance.now();
    const up = await uploadPdf(attacker.token, bomb, "bomb.pdf", server.url);
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const { doc } = await waitForDocument(attacker.token, up.body.document.id, {
      baseUrl: server.url,
      timeoutMs: 60_000,
    });
    const failedAfter = performance.now() - uploaded;
    await sleep(1500);
    const acks = await load.stop();
    const samples = await health.stop();

    const ackMs = acks.map((a) => a.ms);
    console.log(
      `bomb under load (${process.env.TEST_DB}): failed after ${Math.round(failedAfter)} ms; /health without a PDF p99 ${Math.round(
        percentile(before, 99),
      )} ms, max ${Math.round(Math.max(...before))} ms (${before.length} probes); with the bomb p99 ${Math.round(
        percentile(samples, 99),
      )} ms, max ${Math.round(Math.max(...samples))} ms (${samples.length} probes); other tenant's acks p99 ${Math.round(
        percentile(ackMs, 99),
      )} ms (${acks.length})`,
    );
    expect(doc.status).toBe("failed");
    expect(doc.error).toMatch(/^This PDF expands to more than \d+ MB of content when read \(page 1\)/);
    expect(failedAfter).toBeLessThan(60_000);
    expect(samples.length).toBeGreaterThan(10);
    expect(percentile(samples, 99), `health ms: ${samples.map(Math.round).join(" ")}`).toBeLessThan(latencyBound(200));
    expect(Math.max(...samples), `health ms: ${samples.map(Math.round).join(" ")}`).toBeLessThan(1000);
    expect(acks.length).toBeGreaterThan(20);
    expect(acks.filter((a) => a.status !== 200)).toEqual([]);
    expect(percentile(ackMs, 99), `ack ms: ${ackMs.map(Math.round).join(" ")}`).toBeLessThan(latencyBound(500));
    await server.stop();
    server = null;
  }, 120_000);

  it("a server killed while reading it leaves no reader behind; after restart the job ends failed, not retried", async () => {
    const dataDir = tempDataDir("bomb-crash");
    await server?.stop(); // left running by a failed test before
    server = await startAppServer(serverEnv(), { dataDir });
    const owner = await signUp({}, server.url);
    const up = await uploadPdf(owner.token, bomb, "bomb.pdf", server.url);
    expect(up.status).toBe(202);
    const id = up.body.document.id as string;
    const launcher = launcherOf(serverPid(server))?.pid as number;
    const { reader } = await readerRunning([server]);
    await server.crash();
    server = null;
    // The launcher sees the server gone and kills its readers (and the reader's watchdog
    // would notice its parent gone): nothing keeps parsing the bomb, nothing is left.
    const deadline = Date.now() + 2000;
    while ((alive(reader) || alive(launcher)) && Date.now() < deadline) await sleep(20);
    expect(alive(reader)).toBe(false);
    expect(alive(launcher)).toBe(false);

    // As if this had been the last attempt allowed: the next claim must end the job.
    await exhaustAttempts(dataDir, id);
    server = await startAppServer(serverEnv(), { dataDir });
    const pid = serverPid(server);
    const health = healthProbe(server.url);
    let readers = 0;
    const started = Date.now();
    let doc: { status?: string; error?: string } = {};
    // The lease expires, the sweeper (every 250 ms) claims the job: several sweeps pass.
    while (Date.now() - started < (LEASE_SECONDS + 6) * 1000) {
      readers = Math.max(readers, readersOf(pid).length);
      doc = (await api(`/api/v1/documents/${id}`, { token: owner.token, baseUrl: server.url })).body;
      await sleep(100);
    }
    const samples = await health.stop();
    expect(doc).toMatchObject({ status: "failed", error: expect.stringMatching(/interrupted 5 times/) });
    expect(readers).toBe(0); // failed without being read again
    expect(Math.max(...samples), `health ms: ${samples.map(Math.round).join(" ")}`).toBeLessThan(1000);
    await server.stop();
    server = null;
  }, 120_000);

  it.runIf(postgres)(
    "two instances on one database: the survivor of a crash finishes the job, neither freezes",
    async () => {
      const crashed: AppServer[] = [];
      // One database, and one folder for stored files (and the embedded auth key), as two
      // instances behind one load balancer share.
      const dataDir = tempDataDir("two");
      const servers = [await startAppServer(serverEnv(), { dataDir }), await startAppServer(serverEnv(), { dataDir })];
      try {
        const owner = await signUp({}, servers[0]?.url);
        const probes = servers.map((s) => healthProbe(s.url));
        const up = await uploadPdf(owner.token, bomb, "bomb-two.pdf", servers[0]?.url);
        expect(up.status).toBe(202);
        const { server: busy } = await readerRunning(servers);
        const survivor = servers.find((s) => s !== busy) as AppServer;
        const busyProbe = probes[servers.indexOf(busy)];
        await busy.crash();
        crashed.push(busy);
        await busyProbe?.stop();
        const { doc } = await waitForDocument(owner.token, up.body.document.id, {
          baseUrl: survivor.url,
          timeoutMs: 60_000,
        });
        const samples = await probes[servers.indexOf(survivor)]?.stop();
        expect(doc.error).toMatch(/^This PDF expands to more than \d+ MB of content/);
        expect(percentile(samples ?? [], 99), `health ms: ${samples?.map(Math.round).join(" ")}`).toBeLessThan(
          latencyBound(200),
        );
        expect(Math.max(...(samples ?? [])), `health ms: ${samples?.map(Math.round).join(" ")}`).toBeLessThan(1000);
      } finally {
        // A crashed server's stop() would wait for an exit that already happened.
        await Promise.all(servers.filter((s) => !crashed.includes(s)).map((s) => s.stop()));
      }
    },
    120_000,
  );
});

describe("NUL characters", () => {
  // The run's shared app server (with its Gemini fake).
  const geminiUrl = () => inject("geminiUrl");
  const setGemini = async (behaviour: Record<string, unknown>) => {
    const res = await fetch(`${geminiUrl()}/__fake/behaviour`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(behaviour),
    });
    expect(res.status).toBe(200);
  };

  it("a text layer with NUL characters is processed, its text cleaned", async () => {
    const owner = await signUp();
    const up = await uploadPdf(owner.token, nulTextPdf(), "nul.pdf");
    expect(up.status).toBe(202);
    const { doc } = await waitForDocument(owner.token, up.body.document.id);
    expect(doc).toMatchObject({ status: "processed", chunk_count: 1, error: null });
    const answer = await api("/api/v1/query", {
      method: "POST",
      token: owner.token,
      body: { question: "What are the opening hours of the Nulport shop?" },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const excerpts = JSON.stringify(answer.body.sources);
    expect(excerpts).toContain("Opening hours of the Nulport shop: from 9 to 17 every day.");
    expect(excerpts).not.toContain("\\u0000");
  });

  it("a job failing with a NUL in its message ends failed with that reason cleaned, not retried for ever", async () => {
    const owner = await signUp();
    // Google quotes the text it refused; here that text holds a NUL.
    await setGemini({
      fail: {
        error: 400,
        method: "batchEmbedContents",
        times: 1,
        message:
          "Invalid value at 'requests[0].content.parts[0].text' (TYPE_STRING), \"Nulport\u0000 price list\ud800\"",
      },
    });
    try {
      const up = await uploadPdf(owner.token, textPdf(["The Nulport price list: tea costs 3 euros."]), "prices.pdf");
      expect(up.status).toBe(202);
      const { doc } = await waitForDocument(owner.token, up.body.document.id, { timeoutMs: 20_000 });
      expect(doc.status).toBe("failed");
      expect(doc.error).toContain('"Nulport  price list\ufffd"');
    } finally {
      await setGemini({ fail: null });
    }
  });
});

describe("randomized hostile PDFs", () => {
  it("every upload gets a 2xx or a clear 4xx, every accepted document ends processed or failed, /health never stalls", async () => {
    const fontBomb = await fontBombPdf(400);
    const imageBomb = await imageBombPdf(400);
    const url = inject("baseUrl");
    const owner = await signUp();
    const hostile = fc.oneof(
      fc.double({ min: 0.02, max: 0.98, noNaN: true }).map((f) => ({ kind: `truncated ${f}`, bytes: truncatedPdf(f) })),
      fc.constant(null).map(() => ({ kind: "encrypted", bytes: encryptedPdf() })),
      fc.constantFrom("kids", "contents", "parent" as const).map((k) => ({ kind: `loop ${k}`, bytes: loopPdf(k) })),
      fc
        .record({
          depth: fc.integer({ min: 500, max: 200_000 }),
          where: fc.constantFrom("page", "content" as const),
          shape: fc.constantFrom("array", "dict" as const),
        })
        .map((d) => ({ kind: `deep ${JSON.stringify(d)}`, bytes: deepNestingPdf(d.depth, d.where, d.shape) })),
      fc.integer({ min: 2, max: 2_000_000_000 }).map((n) => ({ kind: `count ${n}`, bytes: hugeCountPdf(n) })),
      fc
        .tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
        .map(([w, h]) => ({ kind: `image ${w}x${h}`, bytes: hugeImagePdf(w, h) })),
      fc.constantFrom(
        { kind: "content bomb", bytes: bomb },
        { kind: "font bomb", bytes: fontBomb },
        { kind: "image bomb", bytes: imageBomb },
      ),
      fc.uint8Array({ maxLength: 4096 }).map((b) => ({ kind: "garbage", bytes: garbagePdf(b) })),
    );
    const health = healthProbe(url);
    const accepted: { id: string; kind: string }[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(hostile, async ({ kind, bytes }) => {
          const res = await uploadPdf(owner.token, bytes, `${kind.slice(0, 40)}.pdf`);
          expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body, kind).toMatchObject({
              error: { code: expect.any(String), message: expect.any(String), request_id: expect.any(String) },
            });
          } else {
            expect(res.status, kind).toBe(202);
            accepted.push({ id: res.body.document.id, kind });
          }
        }),
        { numRuns: 24, seed: Number(process.env.HOSTILE_SEED ?? Date.now() % 100_000) },
      );
      for (const { id, kind } of accepted) {
        const { doc } = await waitForDocument(owner.token, id, { timeoutMs: 60_000 });
        expect(["processed", "failed"], `${kind}: ${JSON.stringify(doc)}`).toContain(doc.status);
        if (doc.status === "failed") expect(doc.error, kind).toMatch(/\w+/);
      }
    } finally {
      const samples = await health.stop();
      expect(Math.max(...samples), `health ms: ${samples.map(Math.round).join(" ")}`).toBeLessThan(1000);
    }
  }, 180_000);
});
