/**
 * `npm run bench:retrieval [-- --chunks 200000 --tenants 1000] [-- --keep]`
 *
 * Retrieval latency and recall at scale (acceptance of the answers issue; targets
 * p95 ≤ 20 ms, recall@8 ≥ 0.98). On a fresh PostgreSQL database (created on
 * TEST_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres, dropped
 * at the end unless --keep):
 *
 * 1. migrates it through lib/db/client.ts, drops the secondary indexes of
 *    document_chunks, bulk-loads synthetic customers, documents and chunks (binary COPY,
 *    progress printed), then rebuilds those indexes from their migrated definitions,
 *    each timed, and runs VACUUM ANALYZE;
 * 2. samples tenants of every size class (--tenants-per-class, evenly over each class's
 *    sizes; all the huge ones) and queries near one of each tenant's topics
 *    (--queries-per-tenant), and computes each query's exact top 8 (superuser, the
 *    tenant's rows, exact distances);
 * 3. times the vector part alone (the 40 nearest of the tenant's chunks, as the tenant)
 *    under each index strategy: (b) exact scan through document_chunks_customer, (c) the
 *    global HNSW index with iterative scans off / relaxed_order and ef_search 40, 100, 200,
 *    (d) the tenant's bucket's partial HNSW index (migration 20261128000800); the HNSW
 *    variants are forced with enable_sort off for every tenant, so the tables show where
 *    each works. Strategies run interleaved per query, so a busy machine slows them alike;
 * 4. (a) times the REAL `retrievePassages` through `withTenant` (BEGIN, the set_config
 *    round trip, the statement, COMMIT), with the question and without it (the vector
 *    part and the rest of the statement), with recall@8 of its vector part;
 * 5. prints EXPLAIN (ANALYZE, BUFFERS) of the statement for a small and a huge tenant,
 *    and of the query private.nearest_chunks runs for the huge one;
 * 6. drops the HNSW indexes (unless --keep-hnsw) and times (b) retrievePassages again,
 *    exact scans only.
 *
 * Other options: --database NAME reuses a database loaded by an earlier --keep run with
 * the same --chunks/--tenants/--seed (skips the load and the index builds); --verbose lists
 * the slow (> 50 ms) or incomplete queries; --words N sets the words per chunk (60);
 * --maintenance-work-mem (4GB) for the index builds.
 *
 * Synthetic data (deterministic, --seed): 1536-d unit vectors around 256 global topic
 * centroids. A tenant has 1 to 12 topics; a tenant's topic centre is the global centroid
 * plus a tenant-specific offset (two businesses writing about the same subject), and a
 * chunk adds variation in a 32-dimensional subspace of its global topic plus small
 * isotropic noise (text embeddings have a low intrinsic dimension). A document (20 to 200
 * chunks) is about one topic; documents of all tenants are interleaved in the table.
 * Topic popularity and tenant sizes are Zipf-like; the three largest tenants hold 13%,
 * 11.5% and 10.25% of the chunks (26,000, 23,000 and 20,500 of 200,000). Chunk texts are
 * short sentences of the topic's words, so full-text search has matches; questions use
 * the same words (which makes full-text search heavy: a question's words are in a large
 * share of the tenant's chunks of that topic). Queries are new points of a topic the
 * tenant has documents about, drawn in proportion to its chunks.
 */
import { once } from "node:events";
import os from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { adminUrl, createDatabase } from "@/tests/support/postgres-admin";

const TARGET_P95_MS = 20;
const TARGET_RECALL = 0.98;
const DIM = 1536;
const GLOBAL_TOPICS = 256;
const SUBSPACE = 32;
/** Weights of a chunk's parts: tenant offset, topic subspace, isotropic noise. */
const TENANT_OFFSET = 0.6;
const SUBSPACE_WEIGHT = 0.7;
const NOISE_WEIGHT = 0.3;
const RECALL_K = 8;

const { values: args } = parseArgs({
  options: {
    chunks: { type: "string", default: "200000" },
    tenants: { type: "string", default: "1000" },
    "tenants-per-class": { type: "string", default: "8" },
    "queries-per-tenant": { type: "string", default: "5" },
    words: { type: "string", default: "60" },
    seed: { type: "string", default: "20261128" },
    keep: { type: "boolean", default: false },
    "maintenance-work-mem": { type: "string", default: "4GB" },
    /** Reuse a database loaded by an earlier --keep run with the same --chunks/--tenants/--seed. */
    database: { type: "string" },
    /** Skip the last step, which drops the HNSW index to time retrieval without it. */
    "keep-hnsw": { type: "boolean", default: false },
    /** Print every query whose recall@8 is below 1 or that took more than 50 ms. */
    verbose: { type: "boolean", default: false },
  },
});

const out = (line = "") => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------- deterministic randomness

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private next: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Index drawn from cumulative weights. */
  pick(cumulative: Float64Array): number {
    const x = this.next() * (cumulative[cumulative.length - 1] as number);
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  uuid(): string {
    const b = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) b.writeUInt32BE(Math.floor(this.next() * 4294967296), i);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const h = b.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

function cumulativeOf(weights: number[]): Float64Array {
  const c = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    s += w;
    c[i] = s;
  });
  return c;
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  return v;
}

// ---------------------------------------------------------------- synthetic corpus

const VOCABULARY = (
  "warranty delivery refund return invoice payment subscription account password login order " +
  "shipping tracking parcel courier customs battery charger cable adapter screen keyboard printer " +
  "blender kettle toaster oven fridge freezer dishwasher washer dryer vacuum heater boiler radiator " +
  "thermostat pump valve filter pipe faucet shower bathtub tile paint brush ladder drill hammer screw " +
  "bolt hinge lock door window curtain carpet mattress pillow blanket sofa chair table desk lamp bulb " +
  "garden hose mower fence seed soil fertilizer plant flower tree pruning irrigation greenhouse " +
  "bicycle helmet tyre brake chain saddle pedal gear scooter engine clutch gearbox exhaust wiper " +
  "insurance claim policy premium deductible coverage accident damage theft fire flood storm " +
  "appointment booking reservation cancellation schedule opening hours holiday closure location " +
  "parking entrance reception lobby elevator stairs restroom wifi network router modem firmware update " +
  "installation assembly instructions manual safety hazard voltage current fuse circuit switch socket " +
  "cleaning maintenance descaling lubrication calibration inspection repair replacement spare part " +
  "dosage tablet capsule prescription pharmacy allergy symptom treatment therapy clinic doctor nurse " +
  "course lesson exam certificate enrolment tuition scholarship semester teacher student classroom " +
  "recipe ingredient flour sugar butter yeast dough oven temperature baking pastry chocolate coffee tea " +
  "menu allergen vegan gluten dairy portion catering banquet wedding birthday venue decoration music " +
  "hotel room breakfast checkin checkout luggage shuttle airport flight ticket passport visa luggage " +
  "rental deposit lease tenant landlord contract notice renewal utilities heating water electricity " +
  "loan mortgage interest rate credit debit transfer statement balance overdraft savings pension tax"
).split(/\s+/);
const COMMON = "the a our your this each with for from and or to of in on by is are can must will should may".split(
  " ",
);
const SYLLABLES = "ka lo mi ra ve zu to pa ne si qu el or an ix ul fe go".split(" ");

interface TenantTopic {
  global: number;
  /** Tenant's topic centre (global centroid + tenant offset), not normalised. */
  centre: Float32Array;
}

interface Tenant {
  index: number;
  id: string;
  name: string;
  size: number;
  topics: TenantTopic[];
  /** Chunks of each topic (a topic may have no document). */
  topicChunks: number[];
}

interface DocumentPlan {
  id: string;
  tenant: number;
  topic: number;
  chunks: number;
}

/** Tenant sizes: three big tenants (13%, 11.5%, 10.25%), the rest Zipf (s = 1, offset 2), at least 5 chunks. */
function tenantSizes(total: number, tenants: number): number[] {
  const bigShares = [0.13, 0.115, 0.1025].slice(0, Math.max(0, tenants - 1));
  const big = bigShares.map((f) => Math.round(f * total));
  const rest = total - big.reduce((a, b) => a + b, 0);
  const n = tenants - big.length;
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 3));
  const sw = w.reduce((a, b) => a + b, 0);
  const sizes = [...big, ...w.map((x) => Math.max(5, Math.round((rest * x) / sw)))];
  // Adjust the largest Zipf tenant so the total is exact.
  const diff = total - sizes.reduce((a, b) => a + b, 0);
  if (big.length < sizes.length) sizes[big.length] = Math.max(5, (sizes[big.length] as number) + diff);
  return sizes;
}

class Corpus {
  readonly rng: Rng;
  readonly centroids: Float32Array[] = [];
  /** Per global topic, SUBSPACE unit directions, flattened. */
  readonly bases: Float32Array[] = [];
  readonly topicWords: string[][] = [];
  readonly tenants: Tenant[] = [];
  readonly documents: DocumentPlan[] = [];
  private readonly noisePool: Float32Array;

  constructor(seed: number, totalChunks: number, tenantCount: number) {
    this.rng = new Rng(seed);
    const rng = this.rng;
    for (let g = 0; g < GLOBAL_TOPICS; g++) {
      const c = new Float32Array(DIM);
      for (let i = 0; i < DIM; i++) c[i] = rng.gaussian();
      this.centroids.push(normalizeInPlace(c));
      const basis = new Float32Array(SUBSPACE * DIM);
      for (let r = 0; r < SUBSPACE; r++) {
        const d = new Float32Array(DIM);
        for (let i = 0; i < DIM; i++) d[i] = rng.gaussian();
        basis.set(normalizeInPlace(d), r * DIM);
      }
      this.bases.push(basis);
      const words = new Set<string>();
      while (words.size < 10) words.add(VOCABULARY[rng.int(VOCABULARY.length)] as string);
      this.topicWords.push([...words]);
    }
    this.noisePool = new Float32Array(1 << 22);
    for (let i = 0; i < this.noisePool.length; i++) this.noisePool[i] = rng.gaussian();

    // Popular subjects are shared by many tenants.
    const topicPopularity = cumulativeOf(Array.from({ length: GLOBAL_TOPICS }, (_, g) => 1 / (g + 1) ** 0.8));
    const sizes = tenantSizes(totalChunks, tenantCount);
    sizes.forEach((size, index) => {
      const topicCount = Math.max(1, Math.min(12, Math.ceil(Math.log2(size / 5))));
      const topics: TenantTopic[] = [];
      const used = new Set<number>();
      while (topics.length < topicCount) {
        const g = rng.pick(topicPopularity);
        if (used.has(g)) continue;
        used.add(g);
        const centre = new Float32Array(DIM);
        const base = this.centroids[g] as Float32Array;
        const offset = new Float32Array(DIM);
        for (let i = 0; i < DIM; i++) offset[i] = rng.gaussian();
        normalizeInPlace(offset);
        for (let i = 0; i < DIM; i++) centre[i] = (base[i] as number) + TENANT_OFFSET * (offset[i] as number);
        topics.push({ global: g, centre });
      }
      let name = "";
      for (let s = 0; s < 3; s++) name += SYLLABLES[rng.int(SYLLABLES.length)];
      const tenant: Tenant = {
        index,
        id: rng.uuid(),
        name: `${name[0]?.toUpperCase()}${name.slice(1)} ${index}`,
        size,
        topics,
        topicChunks: topics.map(() => 0),
      };
      this.tenants.push(tenant);
      // Documents of 20 to 200 chunks, each about one of the tenant's topics (the first ones more).
      const topicWeights = cumulativeOf(topics.map((_, i) => 1 / (i + 1)));
      let left = size;
      while (left > 0) {
        const n = Math.min(left, 20 + rng.int(181));
        const topic = rng.pick(topicWeights);
        this.documents.push({ id: rng.uuid(), tenant: index, topic, chunks: n });
        tenant.topicChunks[topic] = (tenant.topicChunks[topic] as number) + n;
        left -= n;
      }
    });
    // Documents arrive over time from every tenant: interleave them.
    for (let i = this.documents.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [this.documents[i], this.documents[j]] = [this.documents[j] as DocumentPlan, this.documents[i] as DocumentPlan];
    }
  }

  /** A point of a tenant's topic (a chunk or a query), unit length. */
  point(rng: Rng, topic: TenantTopic, into = new Float32Array(DIM)): Float32Array {
    into.set(topic.centre);
    const basis = this.bases[topic.global] as Float32Array;
    const scale = SUBSPACE_WEIGHT / Math.sqrt(SUBSPACE);
    for (let r = 0; r < SUBSPACE; r++) {
      const z = rng.gaussian() * scale;
      const o = r * DIM;
      for (let i = 0; i < DIM; i++) into[i] = (into[i] as number) + z * (basis[o + i] as number);
    }
    const start = rng.int(this.noisePool.length - DIM);
    const noise = NOISE_WEIGHT / Math.sqrt(DIM);
    for (let i = 0; i < DIM; i++) into[i] = (into[i] as number) + noise * (this.noisePool[start + i] as number);
    return normalizeInPlace(into);
  }

  text(rng: Rng, tenant: Tenant, topic: TenantTopic, words: number): string {
    const topicWords = this.topicWords[topic.global] as string[];
    const sentences: string[] = [];
    let count = 0;
    while (count < words) {
      const len = 6 + rng.int(8);
      const parts: string[] = [];
      for (let i = 0; i < len; i++) {
        const x = rng.uniform();
        if (x < 0.45) parts.push(topicWords[rng.int(topicWords.length)] as string);
        else if (x < 0.6) parts.push(VOCABULARY[rng.int(VOCABULARY.length)] as string);
        else if (x < 0.65) parts.push(tenant.name.split(" ")[0] as string);
        else parts.push(COMMON[rng.int(COMMON.length)] as string);
      }
      const s = parts.join(" ");
      sentences.push(`${s[0]?.toUpperCase()}${s.slice(1)}.`);
      count += len;
    }
    return sentences.join(" ");
  }

  question(rng: Rng, topic: TenantTopic): string {
    const w = this.topicWords[topic.global] as string[];
    const a = w[rng.int(w.length)];
    const b = w[rng.int(w.length)];
    const c = VOCABULARY[rng.int(VOCABULARY.length)];
    const forms = [
      `Hello, how does the ${a} ${b} work with the ${c}?`,
      `What is your policy on ${a} and ${b}?`,
      `Can I get help with my ${a}, the ${b} is not working`,
      `Do you offer ${a} for ${b} ${c}? Thanks`,
    ];
    return forms[rng.int(forms.length)] as string;
  }
}

// ---------------------------------------------------------------- binary COPY encoding

class CopyWriter {
  private buf = Buffer.allocUnsafe(4 << 20);
  private pos = 0;
  constructor(private readonly flush: (b: Buffer) => Promise<void>) {}
  private async ensure(n: number) {
    if (this.pos + n > this.buf.length) await this.drain();
  }
  async drain() {
    if (this.pos === 0) return;
    const chunk = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    await this.flush(chunk);
  }
  async header() {
    await this.ensure(19);
    this.buf.write("PGCOPY\n\xff\r\n\0", this.pos, "latin1");
    this.pos += 11;
    this.buf.writeInt32BE(0, this.pos);
    this.buf.writeInt32BE(0, this.pos + 4);
    this.pos += 8;
  }
  async row(fields: (Buffer | null)[]) {
    const size = 2 + fields.reduce((s, f) => s + 4 + (f ? f.length : 0), 0);
    await this.ensure(size);
    this.buf.writeInt16BE(fields.length, this.pos);
    this.pos += 2;
    for (const f of fields) {
      if (f === null) {
        this.buf.writeInt32BE(-1, this.pos);
        this.pos += 4;
      } else {
        this.buf.writeInt32BE(f.length, this.pos);
        f.copy(this.buf, this.pos + 4);
        this.pos += 4 + f.length;
      }
    }
  }
  async trailer() {
    await this.ensure(2);
    this.buf.writeInt16BE(-1, this.pos);
    this.pos += 2;
    await this.drain();
  }
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ""), "hex");
function int4(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}
function vectorBytes(v: Float32Array): Buffer {
  const b = Buffer.allocUnsafe(4 + 4 * v.length);
  b.writeInt16BE(v.length, 0);
  b.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) b.writeFloatBE(v[i] as number, 4 + 4 * i);
  return b;
}

// ---------------------------------------------------------------- database set-up and load

type Sql = postgres.Sql;

interface SecondaryIndex {
  name: string;
  definition: string;
}

/** Secondary indexes of document_chunks as migrated (not those behind constraints). */
async function secondaryIndexes(admin: Sql): Promise<SecondaryIndex[]> {
  const found = await admin<{ name: string; definition: string }[]>`
    select i.relname as name, pg_get_indexdef(i.oid) as definition
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    where x.indrelid = 'public.document_chunks'::regclass
      and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
    order by i.relname`;
  return found.map((r) => ({ name: r.name, definition: r.definition }));
}

async function loadCorpus(admin: Sql, corpus: Corpus, words: number, seed: number) {
  const [plan] = await admin<{ id: string }[]>`select id from subscriptions order by is_default desc, name limit 1`;
  if (!plan) throw new Error("no subscription plan after migration");
  const started = performance.now();
  for (let i = 0; i < corpus.tenants.length; i += 1000) {
    const batch = corpus.tenants.slice(i, i + 1000).map((t) => ({
      id: t.id,
      name: t.name,
      subscription_id: plan.id,
      webhook_secret_hash: `bench-${t.id}`,
      webhook_secret_encrypted: "bench",
      settings: { language: "en" },
    }));
    await admin`insert into customers ${admin(batch)}`;
  }
  for (let i = 0; i < corpus.documents.length; i += 2000) {
    const batch = corpus.documents.slice(i, i + 2000).map((d, j) => ({
      id: d.id,
      customer_id: corpus.tenants[d.tenant]?.id as string,
      filename: `document-${i + j}.pdf`,
      size_bytes: d.chunks * 3000,
      status: "processed",
      page_count: d.chunks * 2,
      chunk_count: d.chunks,
      pages_done: d.chunks * 2,
      pages_total: d.chunks * 2,
    }));
    await admin`insert into documents ${admin(batch)}`;
  }
  out(
    `  ${corpus.tenants.length} tenants, ${corpus.documents.length} documents inserted in ${ms(performance.now() - started)}`,
  );

  const [{ oid: english } = { oid: 0 }] = await admin<{ oid: number }[]>`select 'english'::regconfig::oid as oid`;
  const english4 = Buffer.allocUnsafe(4);
  english4.writeUInt32BE(english, 0);
  const total = corpus.tenants.reduce((s, t) => s + t.size, 0);
  const stream = await admin
    .unsafe(
      "copy document_chunks (id, customer_id, document_id, chunk_index, page_start, page_end, content, token_count, embedding, fts_config) from stdin with (format binary)",
    )
    .writable();
  const writer = new CopyWriter(async (b) => {
    if (!stream.write(b)) await once(stream, "drain");
  });
  await writer.header();
  const rng = new Rng(seed + 1);
  const v = new Float32Array(DIM);
  let written = 0;
  let bytes = 0;
  let nextReport = 0;
  const step = Math.max(10_000, Math.round(total / 10 / 10_000) * 10_000);
  for (const d of corpus.documents) {
    const tenant = corpus.tenants[d.tenant] as Tenant;
    const topic = tenant.topics[d.topic] as TenantTopic;
    const tenantId = uuidBytes(tenant.id);
    const documentId = uuidBytes(d.id);
    for (let c = 0; c < d.chunks; c++) {
      const content = Buffer.from(corpus.text(rng, tenant, topic, words), "utf8");
      const embedding = vectorBytes(corpus.point(rng, topic, v));
      await writer.row([
        uuidBytes(rng.uuid()),
        tenantId,
        documentId,
        int4(c),
        int4(2 * c + 1),
        int4(2 * c + 2),
        content,
        int4(Math.ceil(content.length / 4)),
        embedding,
        english4,
      ]);
      written++;
      bytes += content.length + embedding.length + 80;
      if (written >= nextReport) {
        const s = (performance.now() - started) / 1000;
        out(
          `  chunks ${written.toLocaleString("en")}/${total.toLocaleString("en")} (${Math.round((100 * written) / total)}%), ${Math.round(bytes / 1e6)} MB sent, ${s.toFixed(1)} s`,
        );
        nextReport += step;
      }
    }
  }
  await writer.trailer();
  stream.end();
  await once(stream, "finish");
  out(
    `  ${written.toLocaleString("en")} chunks (${Math.round(bytes / 1e6)} MB binary COPY) loaded in ${ms(performance.now() - started)}`,
  );
}

function ms(x: number): string {
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  out(`  ${label}: ${ms(performance.now() - t)}`);
  return r;
}

async function main() {
  const totalChunks = Number.parseInt(args.chunks ?? "200000", 10);
  const tenantCount = Number.parseInt(args.tenants ?? "1000", 10);
  const words = Number.parseInt(args.words ?? "60", 10);
  const seed = Number.parseInt(args.seed ?? "20261128", 10);
  if (!(totalChunks >= tenantCount * 5) || !(tenantCount >= 4)) {
    throw new Error("--tenants must be at least 4 and --chunks at least 5 per tenant");
  }
  const runStarted = performance.now();
  out(`bench:retrieval — ${totalChunks.toLocaleString("en")} chunks, ${tenantCount} tenants, seed ${seed}`);
  out(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`);

  const reuse = args.database;
  const db = reuse
    ? { url: Object.assign(new URL(adminUrl), { pathname: `/${reuse}` }).toString(), drop: async () => {} }
    : await createDatabase("pa_bench");
  out(`database: ${db.url}${args.keep || reuse ? " (kept)" : " (dropped at the end)"}`);
  process.env.DATABASE_URL = db.url;
  process.env.ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
  process.env.DATABASE_POOL_SIZE = "2";
  process.env.LOG_LEVEL = "warn";
  const client = await import("@/lib/db/client");
  const admin = postgres(db.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    await timed("migrations", () => client.database());
    const [{ v } = { v: "" }] = await admin<{ v: string }[]>`select
      current_setting('server_version') || ', pgvector ' || (select extversion from pg_extension where extname = 'vector') ||
      ', shared_buffers ' || current_setting('shared_buffers') as v`;
    out(`PostgreSQL ${v}`);

    const corpus = await timed("corpus model", async () => new Corpus(seed, totalChunks, tenantCount));
    const indexes = await secondaryIndexes(admin);
    if (!reuse) {
      out("\nLoading the corpus (secondary indexes dropped, rebuilt after):");
      for (const i of indexes) await admin.unsafe(`drop index ${i.name}`);
      await admin`alter table document_chunks set (autovacuum_enabled = false)`;
      await loadCorpus(admin, corpus, words, seed);

      out(`\nBuilding indexes (maintenance_work_mem ${args["maintenance-work-mem"]}, 1 parallel worker):`);
      await admin.unsafe(`set maintenance_work_mem = '${args["maintenance-work-mem"]}'`);
      await admin`set max_parallel_maintenance_workers = 1`;
      for (const i of indexes) {
        await timed(i.definition.replace(/ ON public\./, " ON "), () => admin.unsafe(i.definition));
      }
      await admin`alter table document_chunks reset (autovacuum_enabled)`;
      await timed("vacuum analyze", () => admin.unsafe("vacuum (analyze) customers, documents, document_chunks"));
    }
    const sizes = await admin<{ rel: string; size: string }[]>`
      select c.relname as rel, pg_size_pretty(pg_relation_size(c.oid)) as size
      from pg_class c
      where c.oid in ('public.document_chunks'::regclass, (select reltoastrelid from pg_class where oid = 'public.document_chunks'::regclass))
        or c.oid in (select indexrelid from pg_index where indrelid = 'public.document_chunks'::regclass)
      order by pg_relation_size(c.oid) desc`;
    out(`  sizes: ${sizes.map((s) => `${s.rel} ${s.size}`).join(", ")}`);
    await measure({ corpus, client, admin, indexes });
  } finally {
    await client.closeDatabase().catch(() => {});
    await admin.end({ timeout: 5 });
    if (!args.keep) await db.drop();
  }
  out(`\ntotal ${ms(performance.now() - runStarted)}`);
}

type Client = typeof import("@/lib/db/client");
type Retrieval = typeof import("@/lib/rag/retrieve-passages");

// ---------------------------------------------------------------- measurements

interface SizeClass {
  name: string;
  label: string;
  min: number;
  max: number;
}

const CLASSES: SizeClass[] = [
  { name: "small", label: "< 200 chunks", min: 0, max: 199 },
  { name: "medium", label: "200-1,999", min: 200, max: 1999 },
  { name: "large", label: "2,000-19,999", min: 2000, max: 19_999 },
  { name: "huge", label: ">= 20,000", min: 20_000, max: Number.POSITIVE_INFINITY },
];

interface Query {
  tenant: Tenant;
  klass: SizeClass;
  vector: number[];
  text: string;
  /** Exact nearest chunks (ids), best first. */
  exact: string[];
}

interface Observation {
  query: Query;
  ms: number;
  recall: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function summarize(obs: Observation[]) {
  const lat = obs.map((o) => o.ms).sort((a, b) => a - b);
  const rec = obs.map((o) => o.recall);
  return {
    n: obs.length,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1] ?? Number.NaN,
    recall: rec.reduce((a, b) => a + b, 0) / Math.max(1, rec.length),
    minRecall: Math.min(...rec),
  };
}

const f1 = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));

interface StrategyResult {
  name: string;
  obs: Observation[];
}

function printTable(result: StrategyResult) {
  out(`\n${result.name}`);
  out("| tenants | queries | p50 ms | p95 ms | p99 ms | max ms | recall@8 | min recall@8 |");
  out("| --- | --- | --- | --- | --- | --- | --- | --- |");
  const rows = [
    ...CLASSES.map((k) => [`${k.name} (${k.label})`, result.obs.filter((o) => o.query.klass === k)] as const),
    ["all", result.obs] as const,
  ];
  for (const [label, obs] of rows) {
    if (obs.length === 0) continue;
    const s = summarize(obs);
    const pass = label === "all" ? (s.p95 <= TARGET_P95_MS && s.recall >= TARGET_RECALL ? " ✓" : " ✗") : "";
    out(
      `| ${label}${pass} | ${s.n} | ${f1(s.p50)} | ${f1(s.p95)} | ${f1(s.p99)} | ${f1(s.max)} | ${s.recall.toFixed(3)} | ${(s.minRecall * RECALL_K).toFixed(0)}/8 |`,
    );
  }
  if (args.verbose) {
    for (const o of result.obs.filter((x) => x.recall < 1 || x.ms > 50)) {
      out(
        `  slow or missed: tenant ${o.query.tenant.index} (${o.query.tenant.size} chunks) ${o.ms.toFixed(1)} ms, recall ${o.recall.toFixed(3)}`,
      );
    }
  }
}

function recallOf(found: string[], exact: string[]): number {
  const want = exact.slice(0, RECALL_K);
  if (want.length === 0) return 1;
  const got = new Set(found.slice(0, RECALL_K));
  return want.filter((id) => got.has(id)).length / want.length;
}

function sampleTenants(corpus: Corpus, perClass: number): { tenant: Tenant; klass: SizeClass }[] {
  const picked: { tenant: Tenant; klass: SizeClass }[] = [];
  for (const klass of CLASSES) {
    const members = corpus.tenants
      .filter((t) => t.size >= klass.min && t.size <= klass.max)
      .sort((a, b) => a.size - b.size);
    if (members.length === 0) continue;
    const n = Math.min(perClass, members.length);
    const chosen = new Set<number>();
    for (let i = 0; i < n; i++)
      chosen.add(n === 1 ? members.length - 1 : Math.round((i * (members.length - 1)) / (n - 1)));
    for (const i of chosen) picked.push({ tenant: members[i] as Tenant, klass });
  }
  return picked;
}

const vectorLiteral = (v: number[]) => `[${v.join(",")}]`;
/** Plan lines with a 1536-d vector literal would be 20,000 characters long. */
const clip = (line: string, max = 200) => (line.length > max ? `${line.slice(0, max)}…` : line);
const claimsFor = (t: Tenant) => ({ role: "authenticated" as const, customer_id: t.id });

/** The vector part on its own: the `limit` nearest of the tenant's chunks, as the tenant (RLS). */
async function vectorPart(
  client: Client,
  q: Query,
  opts: { exact: boolean; bucket?: boolean; settings?: Record<string, string> },
): Promise<{ ms: number; ids: string[] }> {
  const { sql } = await import("drizzle-orm");
  return client.withTenant(claimsFor(q.tenant), async (tx) => {
    const settings = Object.entries(opts.settings ?? {});
    if (settings.length > 0) {
      await tx.execute(sql.raw(`select ${settings.map(([k, v]) => `set_config('${k}', '${v}', true)`).join(", ")}`));
    }
    const v = vectorLiteral(q.vector);
    // "+ 0" keeps the HNSW index out of the exact variant whatever the planner thinks.
    const order = opts.exact ? sql.raw("(c.embedding <=> (select qv from q)) + 0") : sql.raw("distance");
    // The tenant and its bucket as constants, as private.nearest_chunks writes them, so the
    // planner can prove a bucket's partial index applies.
    const bucket = opts.bucket
      ? sql.raw(`and c.customer_id = '${q.tenant.id}' and right(c.customer_id::text, 1) = '${q.tenant.id.slice(-1)}'`)
      : sql.raw("");
    const started = performance.now();
    const found = await client.rows<{ id: string; distance: number }>(
      tx,
      sql`with q as materialized (select ${v}::vector as qv)
        select c.id::text as id, c.embedding <=> (select qv from q) as distance
        from document_chunks c
        where c.embedding is not null ${bucket}
        order by ${order}
        limit 40`,
    );
    const ms = performance.now() - started;
    found.sort((a, b) => Number(a.distance) - Number(b.distance));
    return { ms, ids: found.map((r) => r.id) };
  });
}

async function measure({
  corpus,
  client,
  admin,
  indexes,
}: {
  corpus: Corpus;
  client: Client;
  admin: Sql;
  indexes: SecondaryIndex[];
}) {
  const retrieval: Retrieval = await import("@/lib/rag/retrieve-passages");
  const { sql } = await import("drizzle-orm");
  const perClass = Number.parseInt(args["tenants-per-class"] ?? "8", 10);
  const perTenant = Number.parseInt(args["queries-per-tenant"] ?? "5", 10);
  const rng = new Rng(Number.parseInt(args.seed ?? "20261128", 10) + 2);
  const queries: Query[] = [];
  for (const { tenant, klass } of sampleTenants(corpus, perClass)) {
    // Questions about what the tenant's documents cover: a topic drawn in proportion to its chunks.
    const weights = cumulativeOf(tenant.topicChunks);
    for (let i = 0; i < perTenant; i++) {
      const topic = tenant.topics[rng.pick(weights)] as TenantTopic;
      queries.push({
        tenant,
        klass,
        vector: Array.from(corpus.point(rng, topic)),
        text: corpus.question(rng, topic),
        exact: [],
      });
    }
  }
  const sampled = [...new Set(queries.map((q) => q.tenant))].sort((a, b) => a.size - b.size);
  out(
    `\nSample: ${sampled.length} tenants (${CLASSES.map((k) => `${sampled.filter((t) => t.size >= k.min && t.size <= k.max).length} ${k.name}`).join(", ")}), ${perTenant} queries each = ${queries.length} queries`,
  );
  out(`  tenant sizes: ${sampled.map((t) => t.size).join(", ")}`);
  out(
    `  load average at start: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );

  await timed("exact top-8 of every query (reference: superuser, the tenant's rows, exact distances)", async () => {
    for (const q of queries) {
      const found = await admin.unsafe<{ id: string }[]>(
        "select id::text as id from document_chunks where customer_id = $1 and embedding is not null order by (embedding <=> $2::vector) + 0, id limit 8",
        [q.tenant.id, vectorLiteral(q.vector)],
      );
      q.exact = found.map((r) => r.id);
    }
  });

  const hnsw = (ef: number, iterative = "relaxed_order") => ({
    enable_sort: "off",
    "hnsw.iterative_scan": iterative,
    "hnsw.ef_search": String(ef),
  });
  const hasBuckets = indexes.some((i) => /using hnsw .* where .*customer_id/i.test(i.definition));
  const strategies: { name: string; exact: boolean; bucket?: boolean; settings?: Record<string, string> }[] = [
    { name: "(b) exact: the tenant's rows through document_chunks_customer, sorted by distance", exact: true },
    { name: "(c) global HNSW index, iterative_scan off, ef_search 100", exact: false, settings: hnsw(100, "off") },
    { name: "(c) global HNSW index, iterative_scan relaxed_order, ef_search 40", exact: false, settings: hnsw(40) },
    { name: "(c) global HNSW index, iterative_scan relaxed_order, ef_search 100", exact: false, settings: hnsw(100) },
    { name: "(c) global HNSW index, iterative_scan relaxed_order, ef_search 200", exact: false, settings: hnsw(200) },
    ...(hasBuckets
      ? [
          {
            name: "(d) the tenant's bucket's partial HNSW index, relaxed_order, ef_search 100",
            exact: false,
            bucket: true,
            settings: hnsw(100),
          },
        ]
      : []),
  ];
  await timed("warm-up (HNSW passes over the large tenants' queries)", async () => {
    for (const q of queries.filter((x) => x.tenant.size >= 2000)) {
      for (const s of strategies.filter((x) => !x.exact && x.settings?.["hnsw.ef_search"] === "100")) {
        await vectorPart(client, q, s);
      }
    }
  });

  // Interleaved (every strategy for a query, then the next query), so that a busy machine
  // slows them alike.
  out("\nVector part alone: the 40 nearest of the tenant's chunks, as the tenant (RLS), time of that statement.");
  out("The HNSW variants are forced (enable_sort off) for every tenant, to show where each is usable.");
  const byStrategy = new Map<string, Observation[]>(strategies.map((s) => [s.name, []]));
  const started = performance.now();
  for (const q of queries) {
    for (const s of strategies) {
      const r = await vectorPart(client, q, s);
      byStrategy.get(s.name)?.push({ query: q, ms: r.ms, recall: recallOf(r.ids, q.exact) });
    }
  }
  out(`  (${ms(performance.now() - started)})`);
  for (const s of strategies) printTable({ name: s.name, obs: byStrategy.get(s.name) ?? [] });

  out("\nPer sampled tenant: median ms of the vector part (recall@8 in brackets); HNSW: relaxed_order, ef_search 100:");
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const columns = [0, 3, ...(hasBuckets ? [5] : [])];
  out(`| chunks | exact | global HNSW |${hasBuckets ? " bucket HNSW |" : ""} fastest |`);
  out(`| --- | --- | --- |${hasBuckets ? " --- |" : ""} --- |`);
  for (const t of sampled) {
    const cells = columns.map((i) => {
      const obs = (byStrategy.get(strategies[i]?.name ?? "") ?? []).filter((o) => o.query.tenant === t);
      return {
        ms: median(obs.map((o) => o.ms)),
        recall: obs.reduce((a, o) => a + o.recall, 0) / Math.max(1, obs.length),
      };
    });
    const best = cells.reduce((b, c, i) => (c.ms < (cells[b]?.ms ?? Number.POSITIVE_INFINITY) ? i : b), 0);
    out(
      `| ${t.size} | ${cells.map((c) => `${f1(c.ms)} (${c.recall.toFixed(2)})`).join(" | ")} | ${["exact", "global", "bucket"][best]} |`,
    );
  }

  const shipped = async (label: string) => {
    const full: Observation[] = [];
    const vectorOnly: Observation[] = [];
    for (const q of queries) {
      const claims = claimsFor(q.tenant);
      let t = performance.now();
      await client.withTenant(claims, (tx) =>
        retrieval.retrievePassages(tx, { question: q.text, queryEmbedding: q.vector, language: "en", limit: 8 }),
      );
      const fullMs = performance.now() - t;
      t = performance.now();
      const found = await client.withTenant(claims, (tx) =>
        retrieval.retrievePassages(tx, { question: "", queryEmbedding: q.vector, language: "en", limit: 8 }),
      );
      const vectorMs = performance.now() - t;
      const recall = recallOf(
        found.map((p) => p.chunkId),
        q.exact,
      );
      full.push({ query: q, ms: fullMs, recall });
      vectorOnly.push({ query: q, ms: vectorMs, recall });
    }
    printTable({ name: `${label}: question + embedding`, obs: full });
    printTable({
      name: `${label}: embedding only (no question: the vector part and the rest of the statement)`,
      obs: vectorOnly,
    });
  };

  out(
    `\nThe real retrievePassages through withTenant (BEGIN, set_config, the statement, COMMIT), exact search up to ${retrieval.EXACT_SEARCH_MAX_CHUNKS} chunks; recall@8 of the call without a question:`,
  );
  await shipped("(a) retrievePassages as shipped, indexes as migrated");

  const small = queries.find((q) => q.klass.name === "small") ?? queries[0];
  const big = [...queries].reverse().find((q) => q.klass.name === "huge") ?? queries[queries.length - 1];
  for (const q of [small, big]) {
    if (!q) continue;
    const plan = await client.withTenant(claimsFor(q.tenant), (tx) =>
      client.rows<{ "QUERY PLAN": string }>(
        tx,
        sql`explain (analyze, buffers) ${retrieval.retrievalQuery({ question: "", queryEmbedding: q.vector, language: "en", limit: 8 })}`,
      ),
    );
    out(
      `\nEXPLAIN (ANALYZE, BUFFERS) of the statement with an embedding and no question, tenant of ${q.tenant.size} chunks:`,
    );
    for (const r of plan) out(`    ${clip(r["QUERY PLAN"])}`);
    if (q === big) {
      // What private.nearest_chunks runs (the function scan above does not show it).
      const inner = await client.withTenant(claimsFor(q.tenant), async (tx) => {
        await tx.execute(
          sql.raw(
            `select set_config('enable_sort', 'off', true), set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)`,
          ),
        );
        return client.rows<{ "QUERY PLAN": string }>(
          tx,
          sql`explain (analyze, buffers) select c.id, c.embedding <=> ${vectorLiteral(q.vector)}::vector from document_chunks c
            where c.customer_id = ${sql.raw(`'${q.tenant.id}'`)} and right(c.customer_id::text, 1) = ${sql.raw(`'${q.tenant.id.slice(-1)}'`)}
              and c.embedding is not null
            order by c.embedding <=> ${vectorLiteral(q.vector)}::vector limit 40`,
        );
      });
      out("\n  ... and the query private.nearest_chunks runs for that tenant:");
      for (const r of inner) out(`    ${clip(r["QUERY PLAN"])}`);
    }
  }

  const hnswIndexes = indexes.filter((i) => /using hnsw/i.test(i.definition));
  if (hnswIndexes.length > 0 && !args["keep-hnsw"]) {
    for (const i of hnswIndexes) await admin.unsafe(`drop index ${i.name}`);
    out(`\nDropped the HNSW indexes (${hnswIndexes.map((i) => i.name).join(", ")}):`);
    await shipped("(b) retrievePassages without HNSW indexes");
  }
  out(
    `\n  load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
