/**
 * `npm run bench:webhook [-- --duration 10] [-- --connections 50,200] [-- --warmup 5] [-- --pool 10]`
 *
 * The acceptance benchmark of the ManyChat webhook's acknowledgement: latency
 * p50/p95/p99/max and throughput of `POST /api/v1/webhook/manychat` against the built app
 * as self-hosted (`npm start`: server.ts) and, for reference, under plain `next start` (the
 * Next.js route, as on Vercel), on a real PostgreSQL, printed beside a bare `node:http` + postgres.js
 * server that does the same work (parse JSON, check the secret header, validate with the
 * same zod schema, call the same `private.accept_inbound_message(...)` statement, reply
 * the same JSON): the floor. Afterwards every acknowledged request is verified stored,
 * with exactly one answer job.
 *
 * Targets (for `npm start`): p99 ≤ 100 ms at 50 connections, no errors or non-200,
 * throughput ≥ 40% of the bare server's at every connection count, every acknowledgement
 * stored. `--servers app,next,bare` (default) chooses the servers measured.
 *
 * Set-up: a fresh database on TEST_DATABASE_ADMIN_URL (default: local postgres, trust),
 * dropped after. Needs a production build (`npm run build`, or
 * `NEXT_DIST_DIR=.next-bench npx next build` and the same NEXT_DIST_DIR for this script).
 * One tenant per (server, connection count), signed up through the API, with
 * `burst_window_seconds: 30` so that no answer is attempted while measuring; the app runs
 * with LOG_LEVEL=warn, no Gemini key, ManyChat pointed at a dead local port, and its
 * sweeper slowed down. Each phase gets a fresh server process, killed right after its
 * measurement (so the after() answers waiting out the burst window never run).
 *
 * Load: closed loop, N keep-alive connections (raw sockets, see runLoad), each sending its next
 * request when the previous one is answered; every request has its own subscriber_id and
 * text, so nothing deduplicates. Latency is measured per request from sending to the end
 * of the response body. A warm-up at the same concurrency precedes each measurement.
 * CPU per phase (in % of one core; the machine has os.availableParallelism() cores) is
 * read from /proc for the server, its PostgreSQL backends and this load generator; "other"
 * is the rest of the machine (work that is not ours, on a shared machine).
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import { parseArgs } from "node:util";

const TARGET_P99_MS = 100;
const TARGET_P99_CONNECTIONS = 50;
const TARGET_THROUGHPUT_RATIO = 0.4;
const WEBHOOK_PATH = "/api/v1/webhook/manychat";
const MAX_BODY = 64 * 1024;
/** Webhook rate limits while measuring: the tenant's out of reach, the subscriber's the default. */
const BENCH_TENANT_LIMIT = 1_000_000_000;
const BENCH_SUBSCRIBER_LIMIT = 30;
const REQUEST_TIMEOUT_MS = 10_000; // ManyChat gives up after about 10 s

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    connections: { type: "string", default: "50,200" },
    pool: { type: "string", default: process.env.DATABASE_POOL_SIZE || "10" },
    "floor-server": { type: "boolean", default: false },
    servers: { type: "string", default: "app,next,bare" },
  },
});

/**
 * app: the product's self-hosted start command (`npm start`: server.ts, which answers the
 * webhook before Next.js's router); next: plain `next start` (the Next.js route, as on
 * Vercel), for reference; bare: the floor. The targets apply to app.
 */
type ServerKind = "app" | "next" | "bare";
const LABEL: Record<ServerKind, string> = { app: "npm start", next: "next start", bare: "bare node:http" };
const KINDS = args.servers.split(",").map((k) => k.trim()) as ServerKind[];
for (const k of KINDS) if (!(k in LABEL)) throw new Error(`--servers: unknown server "${k}" (app, next, bare)`);

interface Tenant {
  customerId: string;
  secret: string;
}

interface LoadResult {
  latencies: Float64Array;
  elapsedMs: number;
  ok: number;
  non200: Map<number, number>;
  errors: Map<string, number>;
  messageIds: string[];
  clientCpuMs: number;
}

interface CpuSample {
  server: number;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
}

interface PhaseResult {
  kind: ServerKind;
  connections: number;
  tenant: Tenant;
  load: LoadResult;
  cpu: { server: number; postgres: number; client: number; other: number };
  acked: string[]; // warm-up and measured
  warmupNotOk: number;
  verify?: { stored: number; inbound: number; jobs: number; badJobs: number; duplicateIds: number };
}

// ---------------------------------------------------------------- main

async function main() {
  const durationS = Number(args.duration);
  const warmupS = Number(args.warmup);
  const pool = Number.parseInt(args.pool ?? "10", 10);
  const levels = (args.connections ?? "")
    .split(",")
    .map((s) => Number.parseInt(s.trim(), 10))
    .filter((n) => n > 0);
  if (!(durationS > 0) || !(warmupS >= 0) || !(pool >= 1) || levels.length === 0) {
    throw new Error("--duration > 0, --warmup ≥ 0, --pool ≥ 1 and --connections a list like 50,200 are required");
  }
  if (warmupS + durationS > 28) {
    console.log(
      "Note: warm-up + duration exceed the 30 s burst window: the app's answers (after()) may start inside the measurement.",
    );
  }

  const { createDatabase, adminUrl } = await import("@/tests/support/postgres-admin");
  const { startAppServer, freePort, tempDataDir } = await import("@/tests/support/app-server");
  const { default: postgres } = await import("postgres");

  const cores = os.availableParallelism();
  const loadAtStart = os.loadavg()[0] as number;
  console.log(
    `bench:webhook — ${levels.join(" and ")} connections, ${durationS} s each after a ${warmupS} s warm-up, ` +
      `pool ${pool}, ${cores} CPU(s), Node ${process.version}, load average ${loadAtStart.toFixed(2)}`,
  );

  const db = await createDatabase("pa_bench");
  const dataDir = tempDataDir("bench-webhook"); // one for every app process, removed at the end
  const dbName = new URL(db.url).pathname.slice(1);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const check = postgres(db.url, { max: 1, prepare: false, onnotice: () => {} });
  let stopCurrent: (() => Promise<void>) | null = null;
  const cleanup = async () => {
    await stopCurrent?.().catch(() => {});
    stopCurrent = null;
    await check.end({ timeout: 1 }).catch(() => {});
    await admin.end({ timeout: 1 }).catch(() => {});
    await db.drop().catch((err) => console.error(`Could not drop the benchmark database: ${err}`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }

  const deadPort = await freePort(); // nothing listens there: ManyChat calls, if any, fail at once
  const appEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: String(pool),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "warn",
    GEMINI_API_KEY: "",
    GEMINI_BASE_URL: "",
    MANYCHAT_API_URL: `http://127.0.0.1:${deadPort}`,
    SWEEPER_INTERVAL_MS: "600000",
    // The rate-limit checks run on every request, as in production, but one tenant takes
    // the whole load here: its limit is set out of reach (the floor passes the same).
    WEBHOOK_RATE_LIMIT_PER_TENANT: String(BENCH_TENANT_LIMIT),
    WEBHOOK_RATE_LIMIT_PER_SUBSCRIBER: String(BENCH_SUBSCRIBER_LIMIT),
    NEXT_PUBLIC_SUPABASE_URL: "",
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "",
    SUPABASE_SECRET_KEY: "",
  };

  const phases: PhaseResult[] = [];
  try {
    // Tenants: one per (server, connection count), so each phase is verified on its own.
    const setup = await startAppServer(appEnv, { dataDir });
    stopCurrent = setup.crash;
    const tenants = new Map<string, Tenant>();
    let n = 0;
    for (const c of levels) {
      for (const kind of KINDS) tenants.set(`${kind}:${c}`, await signUpTenant(setup.url, ++n));
    }
    await setup.crash();
    stopCurrent = null;

    for (const c of levels) {
      for (const kind of KINDS) {
        const tenant = tenants.get(`${kind}:${c}`) as Tenant;
        const server =
          kind !== "bare"
            ? await (async () => {
                const s = await startAppServer(appEnv, { dataDir, nextStart: kind === "next" });
                return { url: s.url, stop: s.crash };
              })()
            : await startFloorServer(db.url, pool);
        stopCurrent = server.stop;
        const acked: string[] = [];
        const warm = await runLoad(server.url, tenant.secret, c, warmupS * 1000, `${kind}${c}w`);
        acked.push(...warm.messageIds);
        const serverPids = ourServerPids();
        const pgPids = await backendPids(admin, dbName);
        const before = cpuSample(serverPids, pgPids);
        const load = await runLoad(server.url, tenant.secret, c, durationS * 1000, `${kind}${c}m`);
        const after = cpuSample(serverPids, pgPids);
        await server.stop();
        stopCurrent = null;
        acked.push(...load.messageIds);
        const cpu = cpuPercent(before, after, load.clientCpuMs, load.elapsedMs);
        const phase: PhaseResult = {
          kind,
          connections: c,
          tenant,
          load,
          cpu,
          acked,
          warmupNotOk: sum(warm.non200) + sum(warm.errors),
        };
        phases.push(phase);
        const s = summary(load);
        console.log(
          `${LABEL[kind].padEnd(14)} ${String(c).padStart(3)} conns: ${fmtInt(s.rps)} req/s, ` +
            `p50 ${ms(s.p50)} p95 ${ms(s.p95)} p99 ${ms(s.p99)} max ${ms(s.max)} ms, ` +
            `${s.non200} non-200, ${s.errors} errors; CPU server ${pct(cpu.server)} postgres ${pct(cpu.postgres)} ` +
            `client ${pct(cpu.client)} other ${pct(cpu.other)}`,
        );
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    for (const phase of phases) phase.verify = await verify(check, phase);
  } finally {
    await cleanup();
  }

  printTable(phases, cores);
  const verdicts = targets(phases);
  console.log("");
  for (const v of verdicts) console.log(`${v.ok ? "PASS" : "FAIL"}  ${v.text}`);
  const otherMax = Math.max(...phases.map((p) => p.cpu.other));
  if (otherMax > 25) {
    console.log("");
    console.log(
      `Note: other work was running on this machine (load average ${loadAtStart.toFixed(2)} at the start, ` +
        `up to ${pct(otherMax)} of a core used by processes that are not the benchmark's during a phase): ` +
        "the figures are pessimistic and noisy. Rerun when the machine is idle.",
    );
  }
  if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
}

// ---------------------------------------------------------------- tenants

async function signUpTenant(baseUrl: string, n: number): Promise<Tenant> {
  const tag = randomBytes(4).toString("hex");
  const signup = await fetch(`${baseUrl}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `127.0.${n}.${(n % 250) + 1}` },
    body: JSON.stringify({
      email: `bench-${tag}@example.test`,
      password: "a long enough password",
      company_name: `Bench ${n}`,
    }),
  });
  const created = (await signup.json()) as { access_token?: string };
  if (signup.status !== 201 || !created.access_token) {
    throw new Error(`signup failed: ${signup.status} ${JSON.stringify(created)}`);
  }
  const patch = await fetch(`${baseUrl}/api/v1/customers/me`, {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: `Bearer ${created.access_token}` },
    body: JSON.stringify({ settings: { burst_window_seconds: 30 } }),
  });
  const me = (await patch.json()) as {
    id?: string;
    settings?: { burst_window_seconds?: number };
    inbound_webhook?: { secret?: string };
  };
  if (patch.status !== 200 || !me.id || !me.inbound_webhook?.secret || me.settings?.burst_window_seconds !== 30) {
    throw new Error(`settings update failed: ${patch.status} ${JSON.stringify(me)}`);
  }
  return { customerId: me.id, secret: me.inbound_webhook.secret };
}

// ---------------------------------------------------------------- load generator

/**
 * A lean HTTP/1.1 client on raw keep-alive sockets (one request in flight per
 * connection), so that the load generator takes as little of the machine's CPU as it
 * can: node:http's client costs several times more per request.
 */
function runLoad(baseUrl: string, secret: string, connections: number, durationMs: number, tag: string) {
  const url = new URL(baseUrl);
  const port = Number(url.port);
  const head =
    `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `X-Webhook-Secret: ${secret}\r\nContent-Length: `;
  const latencies: number[] = [];
  const messageIds: string[] = [];
  const non200 = new Map<number, number>();
  const errors = new Map<string, number>();
  let seq = 0;
  let ok = 0;

  const onResponse = (status: number, body: Buffer, started: number) => {
    latencies.push(performance.now() - started);
    if (status !== 200) return count(non200, status);
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { status?: string; message_id?: string };
      if (parsed.status === "accepted" && typeof parsed.message_id === "string") {
        ok++;
        messageIds.push(parsed.message_id);
      } else count(errors, "200 without a message_id");
    } catch {
      count(errors, "200 with a body that is not JSON");
    }
  };

  /** One connection's closed loop: send, read the whole response, send the next. */
  const worker = (end: number) =>
    new Promise<void>((done) => {
      let socket: net.Socket;
      let buf: Buffer = Buffer.alloc(0);
      let started = 0;
      let inFlight = false;
      let timer: NodeJS.Timeout | undefined;

      const connect = () => {
        buf = Buffer.alloc(0);
        socket = net.connect(port, url.hostname);
        socket.setNoDelay(true);
        socket.on("data", onData);
        socket.on("error", () => {}); // reported by "close"
        socket.on("close", () => {
          if (!inFlight) return;
          inFlight = false;
          clearTimeout(timer);
          count(errors, "connection closed before the response");
          next();
        });
      };
      const next = () => {
        if (performance.now() >= end) {
          socket.removeAllListeners("close");
          socket.destroy();
          return done();
        }
        if (socket.destroyed) connect();
        const id = seq++;
        const body = JSON.stringify({ subscriber_id: `${tag}-${id}`, text: `benchmark message ${tag}-${id}` });
        inFlight = true;
        timer = setTimeout(() => {
          count(errors, `no answer in ${REQUEST_TIMEOUT_MS} ms`);
          inFlight = false;
          socket.removeAllListeners("close");
          socket.destroy();
          next();
        }, REQUEST_TIMEOUT_MS);
        started = performance.now();
        socket.write(`${head}${Buffer.byteLength(body)}\r\n\r\n${body}`);
      };
      const onData = (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        const parsed = parseResponse(buf);
        if (!parsed) return;
        if (!inFlight) return; // nothing was asked
        inFlight = false;
        clearTimeout(timer);
        buf = buf.subarray(parsed.length);
        onResponse(parsed.status, parsed.body, started);
        if (parsed.close) {
          socket.removeAllListeners("close");
          socket.destroy();
        }
        next();
      };
      connect();
      next();
    });

  return (async (): Promise<LoadResult> => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const end = started + durationMs;
    await Promise.all(Array.from({ length: connections }, () => worker(end)));
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      latencies: Float64Array.from(latencies),
      elapsedMs,
      ok,
      non200,
      errors,
      messageIds,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
    };
  })();
}

const CRLF2 = Buffer.from("\r\n\r\n");

/** A complete HTTP/1.1 response at the start of buf (Content-Length or chunked), or null if more bytes are needed. */
function parseResponse(buf: Buffer): { status: number; body: Buffer; length: number; close: boolean } | null {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) return null;
  const head = buf.toString("latin1", 0, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:\s*close/.test(head);
  const start = headEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return buf.length < end ? null : { status, body: buf.subarray(start, end), length: end, close };
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(buf.toString("latin1", at, lineEnd), 16);
      if (size === 0) {
        const end = buf.indexOf(CRLF2, lineEnd - 2); // no trailers expected
        return end < 0 ? null : { status, body: Buffer.concat(parts), length: end + 4, close };
      }
      if (buf.length < lineEnd + 2 + size + 2) return null;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return { status, body: Buffer.alloc(0), length: start, close }; // no body (e.g. 204)
}

function count<K>(m: Map<K, number>, k: K) {
  m.set(k, (m.get(k) ?? 0) + 1);
}
const sum = (m: Map<unknown, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function summary(load: LoadResult) {
  const sorted = load.latencies.slice().sort();
  const q = (p: number) =>
    sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number) : Number.NaN;
  return {
    requests: sorted.length,
    rps: (load.ok / load.elapsedMs) * 1000,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    non200: sum(load.non200),
    errors: sum(load.errors),
  };
}

// ---------------------------------------------------------------- verification

async function verify(check: import("postgres").Sql, phase: PhaseResult) {
  const ids = phase.acked;
  const customer = phase.tenant.customerId;
  let stored = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const [row] = await check<{ n: number }[]>`
      select count(*)::int as n from messages
      where customer_id = ${customer} and direction = 'inbound' and id = any(${chunk}::uuid[])`;
    stored += row?.n ?? 0;
  }
  // Hash joins: a correlated count per message would be quadratic in the message count.
  const [counts] = await check<{ inbound: number; jobs: number; bad_jobs: number }[]>`
    with m as (
      select id from messages where customer_id = ${customer} and direction = 'inbound'
    ), j as (
      select payload ->> 'message_id' as message_id, count(*) as n from jobs
      where customer_id = ${customer} and kind = 'answer_message' group by 1
    )
    select
      (select count(*)::int from m) as inbound,
      (select coalesce(sum(n), 0)::int from j) as jobs,
      (select count(*)::int from m full join j on j.message_id = m.id::text
        where m.id is null or j.message_id is null or j.n <> 1) as bad_jobs`;
  return {
    stored,
    inbound: counts?.inbound ?? 0,
    jobs: counts?.jobs ?? 0,
    badJobs: counts?.bad_jobs ?? 0,
    duplicateIds: ids.length - new Set(ids).size,
  };
}

// ---------------------------------------------------------------- CPU accounting (/proc)

const CLK_TCK = 100; // Linux USER_HZ

function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return 0; // the process is gone
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] as string;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** The servers this benchmark started: the descendants of this process. */
function ourServerPids(): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const found = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}

async function backendPids(admin: import("postgres").Sql, dbName: string): Promise<number[]> {
  const rows = await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${dbName}`;
  return rows.map((r) => r.pid);
}

function cpuSample(serverPids: number[], pgPids: number[]): CpuSample {
  const m = machineTicks();
  return {
    server: serverPids.reduce((a, p) => a + procTicks(p), 0),
    postgres: pgPids.reduce((a, p) => a + procTicks(p), 0),
    machineBusy: m.busy,
    machineTotal: m.total,
  };
}

/** % of one core over the phase. */
function cpuPercent(a: CpuSample, b: CpuSample, clientCpuMs: number, elapsedMs: number) {
  const seconds = elapsedMs / 1000;
  const server = ((b.server - a.server) / CLK_TCK / seconds) * 100;
  const postgres = ((b.postgres - a.postgres) / CLK_TCK / seconds) * 100;
  const client = (clientCpuMs / elapsedMs) * 100;
  const cores = os.availableParallelism();
  const machine = ((b.machineBusy - a.machineBusy) / Math.max(1, b.machineTotal - a.machineTotal)) * cores * 100;
  return { server, postgres, client, other: Math.max(0, machine - server - postgres - client) };
}

// ---------------------------------------------------------------- bare floor server

interface Floor {
  url: string;
  stop: () => Promise<void>;
}

function startFloorServer(databaseUrl: string, pool: number): Promise<Floor> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(import.meta.filename, ["--floor-server"], {
      execArgv: process.execArgv,
      env: { ...process.env, BENCH_FLOOR_DATABASE_URL: databaseUrl, BENCH_FLOOR_POOL: String(pool) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
    child.once("message", (m) => {
      const { port } = m as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGKILL");
          }),
      });
    });
  });
}

/**
 * What the webhook must do at the least, without a framework: the floor the app is
 * compared with. Same checks, same schema, same statement, same reply.
 */
async function floorServer() {
  const { default: postgres } = await import("postgres");
  const { inboundPayloadSchema } = await import("@/lib/manychat/inbound-payload");
  const sql = postgres(process.env.BENCH_FLOOR_DATABASE_URL as string, {
    max: Number(process.env.BENCH_FLOOR_POOL),
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "bench-floor" },
  });
  const reply = (res: http.ServerResponse, status: number, data: unknown) => {
    const body = JSON.stringify(data);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  const fail = (res: http.ServerResponse, status: number, code: string, message: string) =>
    reply(res, status, { error: { code, message } });

  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== WEBHOOK_PATH) return fail(res, 404, "not_found", "Not found.");
    const header = req.headers["x-webhook-secret"];
    const secret =
      (typeof header === "string" ? header : undefined) ??
      /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (d: Buffer) => {
      size += d.length;
      if (size <= MAX_BODY) chunks.push(d);
    });
    req.on("end", async () => {
      try {
        if (!secret) return fail(res, 401, "unauthenticated", "Send the webhook secret.");
        if (size > MAX_BODY) return fail(res, 413, "payload_too_large", "The webhook body is larger than 64 KB.");
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return fail(res, 400, "validation_failed", "The body is not JSON.");
        }
        const parsed = inboundPayloadSchema.safeParse(body);
        if (!parsed.success) return fail(res, 400, "validation_failed", "Send {subscriber_id, text}.");
        const m = parsed.data;
        const idem = req.headers["idempotency-key"];
        const idempotencyKey = (typeof idem === "string" ? idem.slice(0, 200) : "") || null;
        const hash = createHash("sha256").update(secret.trim()).digest("hex");
        const [row] = await sql<{ message_id: string | null; ack_text: string }[]>`
          select * from private.accept_inbound_message(${hash}, ${m.subscriberId}, ${m.text},
            ${m.phone}, ${m.name}, ${idempotencyKey}, ${BENCH_TENANT_LIMIT}::integer, ${BENCH_SUBSCRIBER_LIMIT}::integer)`;
        if (!row) return fail(res, 401, "unauthenticated", "Wrong webhook secret.");
        if (!row.message_id) return fail(res, 403, "forbidden", "This workspace is not active.");
        reply(res, 200, {
          version: "v2",
          content: {
            type: "whatsapp",
            messages: [{ type: "text", text: row.ack_text }],
            actions: [],
            quick_replies: [],
          },
          status: "accepted",
          message_id: row.message_id,
        });
      } catch (err) {
        console.error(err);
        fail(res, 500, "internal", "Something went wrong on our side.");
      }
    });
  });
  server.listen(0, "127.0.0.1", () => {
    (process.send as (m: unknown) => void)({ port: (server.address() as AddressInfo).port });
  });
}

// ---------------------------------------------------------------- report

const ms = (n: number) => (Number.isNaN(n) ? "n/a" : n < 10 ? n.toFixed(1) : Math.round(n).toString());
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (n: number) => `${Math.round(n)}%`;
/** CPU time per request, in µs, from a % of one core and a request rate. */
const perRequest = (cpuPct: number, rps: number) => fmtInt(((cpuPct / 100) * 1e6) / rps);

function printTable(phases: PhaseResult[], cores: number) {
  const header = [
    "server",
    "conns",
    "requests",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "non-200",
    "errors",
    "acked (incl. warm-up)",
    "stored",
    "jobs",
    "CPU server",
    "CPU postgres",
    "CPU client",
    "CPU other",
    "server µs/req",
    "pg µs/req",
  ];
  const rows = phases.map((p) => {
    const s = summary(p.load);
    const v = p.verify;
    return [
      LABEL[p.kind],
      String(p.connections),
      fmtInt(s.requests),
      fmtInt(s.rps),
      ms(s.p50),
      ms(s.p95),
      ms(s.p99),
      ms(s.max),
      String(s.non200),
      String(s.errors),
      fmtInt(p.acked.length),
      v ? fmtInt(v.stored) : "?",
      v ? fmtInt(v.jobs) : "?",
      pct(p.cpu.server),
      pct(p.cpu.postgres),
      pct(p.cpu.client),
      pct(p.cpu.other),
      perRequest(p.cpu.server, s.rps),
      perRequest(p.cpu.postgres, s.rps),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join(" | ")} |`;
  console.log("");
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log("");
  console.log(
    `CPU in % of one core (${cores} cores = ${cores * 100}%); "other" = the rest of the machine; ` +
      "µs/req = CPU time per acknowledged request (server process, its PostgreSQL backends).",
  );
  for (const c of [...new Set(phases.map((p) => p.connections))]) {
    const bare = phases.find((p) => p.kind === "bare" && p.connections === c);
    for (const p of phases.filter((x) => x.connections === c)) {
      if (p.load.errors.size > 0) {
        console.log(`${LABEL[p.kind]} ${c} conns errors: ${JSON.stringify(Object.fromEntries(p.load.errors))}`);
      }
      if (!bare || p === bare) continue;
      const a = summary(p.load);
      const b = summary(bare.load);
      console.log(
        `${c} conns: ${LABEL[p.kind]} ${(a.rps / b.rps).toFixed(2)}× the bare server's throughput, p99 ${(a.p99 / b.p99).toFixed(1)}× the bare p99`,
      );
    }
  }
}

function targets(phases: PhaseResult[]) {
  const out: { ok: boolean; text: string }[] = [];
  const at = phases.find((p) => p.kind === "app" && p.connections === TARGET_P99_CONNECTIONS);
  if (at) {
    const p99 = summary(at.load).p99;
    out.push({
      ok: p99 <= TARGET_P99_MS,
      text: `npm start p99 ${ms(p99)} ms at ${TARGET_P99_CONNECTIONS} connections ≤ ${TARGET_P99_MS} ms`,
    });
  } else {
    out.push({
      ok: false,
      text: `no npm start run at ${TARGET_P99_CONNECTIONS} connections: add it to --connections and app to --servers`,
    });
  }
  for (const p of phases) {
    const s = summary(p.load);
    const bad = s.non200 + s.errors + p.warmupNotOk;
    out.push({
      ok: bad === 0,
      text: `${LABEL[p.kind]} at ${p.connections} connections: ${bad} errors or non-200 (warm-up included)`,
    });
  }
  for (const c of [...new Set(phases.map((p) => p.connections))]) {
    const app = phases.find((p) => p.kind === "app" && p.connections === c);
    const bare = phases.find((p) => p.kind === "bare" && p.connections === c);
    if (!app || !bare) continue;
    const ratio = summary(app.load).rps / summary(bare.load).rps;
    out.push({
      ok: ratio >= TARGET_THROUGHPUT_RATIO,
      text: `npm start throughput at ${c} connections ${(ratio * 100).toFixed(0)}% of the bare server's ≥ ${TARGET_THROUGHPUT_RATIO * 100}%`,
    });
  }
  for (const p of phases) {
    const v = p.verify;
    const ok =
      !!v &&
      v.stored === p.acked.length &&
      v.duplicateIds === 0 &&
      v.badJobs === 0 &&
      v.jobs === v.inbound &&
      v.inbound >= p.acked.length;
    out.push({
      ok,
      text:
        `${LABEL[p.kind]} at ${p.connections} connections: ${fmtInt(p.acked.length)} acknowledged, ` +
        (v
          ? `${fmtInt(v.stored)} of them stored, ${fmtInt(v.inbound)} inbound messages, ${fmtInt(v.jobs)} answer jobs, ` +
            `${v.badJobs} messages without exactly one job or jobs without a message, ${v.duplicateIds} repeated message ids`
          : "not verified"),
    });
  }
  return out;
}

if (args["floor-server"]) {
  await floorServer();
} else {
  await main();
}
