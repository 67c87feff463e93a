import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGeminiFake } from "../fakes/gemini";
import { startManychatFake } from "../fakes/manychat";
import { api, expectError, signUp } from "../support/api";
import { type AppServer, startAppServer, tempDataDir } from "../support/app-server";
import { uploadPdf, waitForDocument } from "../support/documents";
import { textPdf } from "../support/pdf-fixtures";
import { createDatabase, postgresReachable } from "../support/postgres-admin";
import { postWebhook, type Tenant, waitForSends } from "../support/webhook";

// GDPR: the export holds everything of the tenant and nothing of another; deletion makes
// the workspace unreachable at once, an admin can restore it during the grace period, and
// the purge job then leaves nothing of it in any table or in storage. Own server (a grace
// period of a few seconds, a fast sweeper) and own database.
const postgresKind = process.env.TEST_DB === "postgres";
const GRACE_SECONDS = 4;
let database: { url: string; drop: () => Promise<void> } | null = null;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let manychat: Awaited<ReturnType<typeof startManychatFake>>;
let server: AppServer;
const dataDir = tempDataDir("gdpr");
const adminEmail = `gdpr-admin-${randomUUID().slice(0, 8)}@example.test`;

interface Shop extends Tenant {
  pdf: Uint8Array;
  filename: string;
  question: string;
  documentId: string;
}

async function shop(label: string, fact: string): Promise<Shop> {
  const t = await signUp({ company_name: `${label} ${randomUUID().slice(0, 6)}` }, server.url);
  const patch = await api("/api/v1/customers/me", {
    method: "PATCH",
    token: t.token,
    baseUrl: server.url,
    body: {
      manychat_api_key: `${Math.floor(Math.random() * 1e9)}:tok${randomUUID().slice(0, 8)}`,
      settings: { burst_window_seconds: 0 },
    },
  });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  const filename = `${label.toLowerCase()}-${randomUUID().slice(0, 6)}.pdf`;
  const pdf = textPdf([[`${label} handbook.`], [fact]]);
  const up = await uploadPdf(t.token, pdf, filename, server.url);
  expect(up.status).toBe(202);
  await waitForDocument(t.token, up.body.document.id, { baseUrl: server.url });
  const question = `${label} question ${randomUUID().slice(0, 8)}: what about the warranty?`;
  const subscriber = `sub-${randomUUID()}`;
  const ack = await postWebhook(
    patch.body.inbound_webhook.secret,
    { subscriber_id: subscriber, text: question },
    {},
    server.url,
  );
  expect(ack.status).toBe(200);
  await waitForSends(subscriber, 1, { manychatUrl: manychat.url });
  return { ...t, secret: patch.body.inbound_webhook.secret, pdf, filename, question, documentId: up.body.document.id };
}

const login = (t: { email: string; password: string }) =>
  api("/api/v1/auth/login", { method: "POST", body: { email: t.email, password: t.password }, baseUrl: server.url });

let alpha: Shop;
let bravo: Shop;

beforeAll(async () => {
  gemini = await startGeminiFake();
  manychat = await startManychatFake();
  if (postgresKind) {
    if (!(await postgresReachable())) throw new Error("PostgreSQL is not reachable");
    database = await createDatabase("pa_gdpr");
  }
  server = await startAppServer(
    {
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...(database ? { DATABASE_URL: database.url } : {}),
      GEMINI_API_KEY: "test-key",
      GEMINI_BASE_URL: gemini.url,
      MANYCHAT_API_URL: manychat.url,
      ADMIN_EMAILS: adminEmail,
      DELETION_GRACE_SECONDS: String(GRACE_SECONDS),
      SWEEPER_INTERVAL_MS: "300",
    },
    { dataDir },
  );
  alpha = await shop("Alpha", "Warranty: Alpha kettles are covered for 7 years.");
  bravo = await shop("Bravo", "Warranty: Bravo toasters are covered for 3 years.");
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await gemini?.close();
  await manychat?.close();
  await database?.drop();
});

describe("GET /customers/me/export", () => {
  it("holds everything of the tenant, the original PDF included, and nothing of another", async () => {
    const res = await fetch(`${server.url}/api/v1/customers/me/export`, {
      headers: { authorization: `Bearer ${alpha.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="pdf-answers-export-.*\.zip"/);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const data = JSON.parse(strFromU8(files["data.json"] as Uint8Array));
    expect(data.customer).toMatchObject({ id: alpha.customer.id, name: alpha.company_name, status: "active" });
    expect(data.users.map((u: { email: string }) => u.email)).toEqual([alpha.email]);
    expect(data.documents.map((d: { filename: string }) => d.filename)).toEqual([alpha.filename]);
    expect(data.document_chunks.map((c: { content: string }) => c.content).join(" ")).toContain("7 years");
    const texts = data.messages.map((m: { direction: string; content: string }) => [m.direction, m.content]);
    expect(texts).toContainEqual(["inbound", alpha.question]);
    expect(texts.some(([d, c]: [string, string]) => d === "outbound" && c.includes("7 years"))).toBe(true);
    expect(data.audit_logs.map((a: { action: string }) => a.action)).toContain("auth.signup");
    // The PDF, byte for byte.
    const pdfName = Object.keys(files).find((n) => n.startsWith("files/"));
    expect(pdfName).toBe(`files/${alpha.documentId}-${alpha.filename}`);
    expect(
      createHash("sha256")
        .update(files[pdfName as string] as Uint8Array)
        .digest("hex"),
    ).toBe(createHash("sha256").update(alpha.pdf).digest("hex"));
    // Nothing of Bravo, and no secret of Alpha.
    const everything = Object.values(files)
      .map((f) => Buffer.from(f).toString("latin1"))
      .join("\n");
    for (const foreign of [
      bravo.customer.id,
      bravo.email,
      bravo.company_name,
      bravo.filename,
      bravo.question,
      "3 years",
    ]) {
      expect(everything).not.toContain(foreign);
    }
    for (const secret of [
      alpha.secret,
      alpha.password,
      "hashed_password",
      "webhook_secret",
      "manychat_api_key_encrypted",
    ]) {
      expect(everything).not.toContain(secret);
    }
    // The export itself is on the audit trail.
    const again = unzipSync(
      new Uint8Array(
        await (
          await fetch(`${server.url}/api/v1/customers/me/export`, {
            headers: { authorization: `Bearer ${alpha.token}` },
          })
        ).arrayBuffer(),
      ),
    );
    const audit = JSON.parse(strFromU8(again["data.json"] as Uint8Array)).audit_logs;
    expect(audit.map((a: { action: string }) => a.action)).toContain("customer.exported");
  });

  it("needs a signed-in tenant", async () => {
    expectError(await api("/api/v1/customers/me/export", { baseUrl: server.url }), 401, "unauthenticated");
  });
});

describe("DELETE /customers/me", () => {
  it("a global admin restores a deleted workspace within the grace period", async () => {
    const admin = await signUp({ email: adminEmail }, server.url);
    const charlie = await signUp({ company_name: `Charlie ${randomUUID().slice(0, 6)}` }, server.url);
    const del = await api("/api/v1/customers/me", { method: "DELETE", token: charlie.token, baseUrl: server.url });
    expect(del.status).toBe(202);
    expectError(await login(charlie), 403, "forbidden");
    // Another tenant cannot restore it; support would not either.
    expectError(
      await api(`/api/v1/admin/customers/${charlie.customer.id}/restore`, {
        method: "POST",
        token: alpha.token,
        baseUrl: server.url,
      }),
      403,
      "forbidden",
    );
    const restored = await api(`/api/v1/admin/customers/${charlie.customer.id}/restore`, {
      method: "POST",
      token: admin.token,
      baseUrl: server.url,
    });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ id: charlie.customer.id, status: "active" });
    const back = await login(charlie);
    expect(back.status).toBe(200);
    // Past the grace period, the restored workspace is still there: its purge was cancelled.
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1.5) * 1000));
    const me = await api("/api/v1/customers/me", { token: back.body.access_token, baseUrl: server.url });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe(charlie.company_name);
  });

  it("makes the workspace unreachable at once, then the purge leaves nothing of it anywhere", async () => {
    const del = await api("/api/v1/customers/me", { method: "DELETE", token: alpha.token, baseUrl: server.url });
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    expect(del.body).toMatchObject({ status: "pending_deletion", purge_after: expect.any(String) });
    // Unreachable at once: the session is revoked, login refused with an explanation,
    // the webhook refuses and stores nothing.
    expectError(await api("/api/v1/customers/me", { token: alpha.token, baseUrl: server.url }), 401, "unauthenticated");
    const refused = await login(alpha);
    expectError(refused, 403, "forbidden");
    expect(refused.body.error.message).toMatch(/deleted/);
    const hook = await postWebhook(
      alpha.secret,
      { subscriber_id: "after-delete", text: "still there?" },
      {},
      server.url,
    );
    expect(hook.status).toBe(403);
    expect(await api("/api/v1/documents", { token: bravo.token, baseUrl: server.url })).toMatchObject({ status: 200 });

    // The purge runs once the grace period is over (the sweeper picks the job up).
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 3) * 1000));
    const needles = [
      alpha.customer.id,
      alpha.user.id,
      alpha.email,
      alpha.company_name,
      alpha.filename,
      alpha.question,
      "7 years",
      alpha.documentId,
    ];
    const bravoNeedles = [bravo.customer.id, bravo.email, bravo.filename, bravo.question];
    await server.stop();
    const found = await searchEveryTable([...needles, ...bravoNeedles]);
    for (const needle of needles)
      expect(found[needle], `"${needle}" left in ${JSON.stringify(found[needle])}`).toEqual([]);
    // Bravo is untouched.
    for (const needle of bravoNeedles) expect(found[needle]?.length, needle).toBeGreaterThan(0);
    // Storage: Alpha's folder is gone, Bravo's is there.
    expect(fs.existsSync(path.join(dataDir, "files", alpha.customer.id))).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, "files", bravo.customer.id))).toHaveLength(1);
  }, 60_000);
});

/** Tables (public schema) whose rows contain each needle anywhere in their text form. */
async function searchEveryTable(needles: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = Object.fromEntries(needles.map((n) => [n, []]));
  if (database) {
    const sqlc = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const tables = await sqlc<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
      for (const { table_name } of tables) {
        for (const needle of needles) {
          const [row] = await sqlc.unsafe(
            `select count(*)::int as n from public."${table_name}" t where t::text ilike '%' || $1 || '%'`,
            [needle],
          );
          if ((row as unknown as { n: number }).n > 0) out[needle]?.push(table_name);
        }
      }
    } finally {
      await sqlc.end();
    }
    return out;
  }
  const { openDirectDatabase } = await import("../support/direct-db");
  const db = await openDirectDatabase({ dataDir });
  try {
    await db.asService("test: search every table", async (tx) => {
      const tables = await db.rows<{ table_name: string }>(
        tx,
        (await import("drizzle-orm")).sql`select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE'`,
      );
      const { sql } = await import("drizzle-orm");
      for (const { table_name } of tables) {
        for (const needle of needles) {
          const [row] = await db.rows<{ n: number }>(
            tx,
            sql`select count(*)::int as n from ${sql.identifier("public")}.${sql.identifier(table_name)} t
                where t::text ilike '%' || ${needle} || '%'`,
          );
          if (Number(row?.n) > 0) out[needle]?.push(table_name);
        }
      }
    });
  } finally {
    await db.closeDatabase();
  }
  return out;
}
