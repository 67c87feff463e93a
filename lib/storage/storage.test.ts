import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { FileStorage } from "@/lib/storage/file-storage";
import type { SupabaseStorageFake } from "@/tests/fakes/supabase-storage";

/**
 * One behavioural suite run against both FileStorage implementations: the local folder
 * (in a temporary DATA_DIR) and Supabase Storage (against the local fake, through the real
 * supabase-js client). No database: it runs once, in the pglite project.
 */
const SECRET_KEY = "sb_secret_storage_test";
const PUBLISHABLE_KEY = "sb_publishable_storage_test";
const MiB = 1024 * 1024;

const pdf = (size = 2048) => {
  const bytes = new Uint8Array(randomBytes(size));
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"));
  return bytes;
};
const objectPath = (tenant = randomUUID()) => `${tenant}/${randomUUID()}.pdf`;
const tokenOf = (url: string) => new URL(url).searchParams.get("token") ?? "";
/** An environment for loadConfig (Next's types make NODE_ENV required). */
const env = (vars: Record<string, string>) => ({ NODE_ENV: "test", ...vars }) as NodeJS.ProcessEnv;

if (process.env.TEST_DB !== "postgres") {
  let fake: SupabaseStorageFake;
  let dataDir: string;
  let local: typeof import("@/lib/storage/local-storage");
  let supabase: typeof import("@/lib/storage/supabase-storage");
  let storageIndex: typeof import("@/lib/storage");
  let AppErrorClass: typeof import("@/lib/http/errors").AppError;

  beforeAll(async () => {
    fake = await startFake();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pa-storage-"));
    // Before any lib module reads its configuration (see tests/support/direct-db.ts).
    process.env.DATA_DIR = dataDir;
    process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
    process.env.NEXT_PUBLIC_SUPABASE_URL = fake.url;
    process.env.SUPABASE_SECRET_KEY = SECRET_KEY;
    process.env.SUPABASE_STORAGE_BUCKET = "documents";
    local = await import("@/lib/storage/local-storage");
    supabase = await import("@/lib/storage/supabase-storage");
    storageIndex = await import("@/lib/storage");
    AppErrorClass = (await import("@/lib/http/errors")).AppError;
  });

  afterAll(async () => {
    await fake?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startFake() {
    const { startSupabaseStorageFake } = await import("@/tests/fakes/supabase-storage");
    return startSupabaseStorageFake({ secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY });
  }

  const implementations: { name: "local" | "supabase"; make: () => FileStorage }[] = [
    { name: "local", make: () => new local.LocalFileStorage(path.join(dataDir, "files")) },
    {
      name: "supabase",
      make: () => new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "documents" }),
    },
  ];

  describe.each(implementations)("FileStorage contract: $name", ({ name, make }) => {
    let storage: FileStorage;
    beforeAll(() => {
      storage = make();
    });

    it("stores and returns the same bytes", async () => {
      const p = objectPath();
      const bytes = pdf(3 * MiB + 17);
      await storage.put(p, bytes, "application/pdf");
      const back = await storage.get(p);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(back!).equals(Buffer.from(bytes))).toBe(true);
      expect(storage.kind).toBe(name);
    });

    it("replaces an object put again at the same path", async () => {
      const p = objectPath();
      await storage.put(p, pdf(), "application/pdf");
      const second = pdf(500);
      await storage.put(p, second, "application/pdf");
      expect(Buffer.from((await storage.get(p))!).equals(Buffer.from(second))).toBe(true);
    });

    it("returns null for a missing object, in a known or an unknown folder", async () => {
      const tenant = randomUUID();
      await storage.put(objectPath(tenant), pdf(), "application/pdf");
      expect(await storage.get(objectPath(tenant))).toBeNull();
      expect(await storage.get(objectPath())).toBeNull();
    });

    it("deletes an object; deleting a missing one is fine", async () => {
      const p = objectPath();
      await storage.put(p, pdf(), "application/pdf");
      await storage.delete(p);
      expect(await storage.get(p)).toBeNull();
      await expect(storage.delete(p)).resolves.toBeUndefined();
      await expect(storage.delete(objectPath())).resolves.toBeUndefined();
    });

    it("deletePrefix removes one tenant's folder and nothing else", async () => {
      const a = randomUUID();
      const b = randomUUID();
      const aPaths = [objectPath(a), objectPath(a), objectPath(a)];
      const bPaths = [objectPath(b), objectPath(b)];
      for (const p of [...aPaths, ...bPaths]) await storage.put(p, pdf(), "application/pdf");
      await storage.deletePrefix(a);
      for (const p of aPaths) expect(await storage.get(p)).toBeNull();
      for (const p of bPaths) expect(await storage.get(p)).not.toBeNull();
      await expect(storage.deletePrefix(randomUUID())).resolves.toBeUndefined();
    });

    it("refuses paths that are not <tenant>/<document>.pdf", async () => {
      const tenant = randomUUID();
      const bad = [
        "",
        "../x.pdf",
        `${tenant}/../../etc/passwd.pdf`,
        `../${tenant}/x.pdf`,
        `/${tenant}/x.pdf`,
        "/etc/passwd",
        `${tenant}/x.txt`,
        `${tenant}/x`,
        `${tenant}/sub/x.pdf`,
        `${tenant}\\..\\x.pdf`,
        `${tenant}/..pdf`,
        `${tenant}/x.pdf\0`,
        `C:/${tenant}.pdf`,
        `${tenant}//x.pdf`,
        `${tenant}/x.pdf/`,
      ];
      for (const p of bad) {
        await expect(storage.put(p, pdf(), "application/pdf"), p).rejects.toThrow(local.InvalidStoragePathError);
        await expect(storage.get(p), p).rejects.toThrow(local.InvalidStoragePathError);
        await expect(storage.delete(p), p).rejects.toThrow(local.InvalidStoragePathError);
        await expect(
          storage.signedUploadUrl(p, { origin: "http://localhost:3000", sizeBytes: MiB }),
          p,
        ).rejects.toThrow(local.InvalidStoragePathError);
      }
      for (const prefix of ["", ".", "..", "/", `${tenant}/`, `${tenant}/x`, "../x", "*"]) {
        await expect(storage.deletePrefix(prefix), prefix).rejects.toThrow(local.InvalidStoragePathError);
      }
    });

    it("refuses what the bucket refuses: other types than PDF, more than 20 MB", async () => {
      const p = objectPath();
      await expect(storage.put(p, pdf(), "text/plain")).rejects.toMatchObject({ code: "unsupported_media_type" });
      await expect(storage.put(p, pdf(20 * MiB + 1), "application/pdf")).rejects.toMatchObject({
        code: "payload_too_large",
      });
      await expect(storage.put(p, pdf(20 * MiB + 1), "application/pdf")).rejects.toBeInstanceOf(AppErrorClass);
      expect(await storage.get(p)).toBeNull();
      await storage.put(p, pdf(20 * MiB), "application/pdf");
      expect((await storage.get(p))?.byteLength).toBe(20 * MiB);
    });

    it("gives a signed upload URL, valid 2 h, to PUT the bytes to", async () => {
      const p = objectPath();
      const before = Date.now();
      const signed = await storage.signedUploadUrl(p, { origin: "http://app.test:3000", sizeBytes: MiB });
      expect(signed.method).toBe("PUT");
      expect(signed.headers).toEqual({ "content-type": "application/pdf" });
      expect(new URL(signed.url).protocol).toMatch(/^https?:$/);
      const ttl = new Date(signed.expiresAt).getTime() - before;
      expect(ttl).toBeGreaterThan(2 * 3600_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(2 * 3600_000 + 1000);

      const bytes = pdf(MiB);
      if (name === "local") {
        // What the app's upload route does with the request.
        expect(signed.url.startsWith("http://app.test:3000/api/v1/storage/upload?token=")).toBe(true);
        const grant = local.verifyUploadToken(tokenOf(signed.url));
        expect(grant).toEqual({ path: p, sizeBytes: MiB, contentType: "application/pdf" });
        await storage.put(grant!.path, bytes, signed.headers["content-type"]!);
      } else {
        const res = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: bytes });
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await res.json()).toEqual({ Key: `documents/${p}` });
      }
      expect(Buffer.from((await storage.get(p))!).equals(Buffer.from(bytes))).toBe(true);
    });
  });

  describe("LocalFileStorage", () => {
    it("keeps files under <DATA_DIR>/files/<path>, written whole (no temporary file left)", async () => {
      const storage = storageIndex.createFileStorage(
        (await import("@/lib/config")).loadConfig(env({ DATA_DIR: dataDir })),
      );
      expect(storage.kind).toBe("local");
      const tenant = randomUUID();
      const p = objectPath(tenant);
      const bytes = pdf(64 * 1024);
      await Promise.all([1, 2, 3, 4].map(() => storage.put(p, bytes, "application/pdf")));
      const file = path.join(dataDir, "files", p);
      expect(fs.readFileSync(file).equals(Buffer.from(bytes))).toBe(true);
      expect(fs.readdirSync(path.join(dataDir, "files", tenant))).toEqual([path.basename(p)]);
    });

    it("stage + publish creates an object once and never replaces it, even when racing", async () => {
      const storage = new local.LocalFileStorage(path.join(dataDir, "files"));
      const tenant = randomUUID();
      const p = objectPath(tenant);
      const first = pdf(4096);
      const staged = await storage.stage(p, first, "application/pdf");
      expect(await storage.get(p)).toBeNull(); // staged bytes are not the object yet
      expect(await staged.publish()).toBe(true);
      await staged.discard();
      const again = await storage.stage(p, pdf(64), "application/pdf");
      expect(await again.publish()).toBe(false);
      await again.discard();
      expect(Buffer.from((await storage.get(p))!).equals(Buffer.from(first))).toBe(true);

      // Eight uploads of different bytes at once: one object, whole, from exactly one of them.
      const q = objectPath(tenant);
      const bodies = Array.from({ length: 8 }, () => pdf(256 * 1024));
      const stagedAll = await Promise.all(bodies.map((b) => storage.stage(q, b, "application/pdf")));
      const won = await Promise.all(stagedAll.map((st) => st.publish()));
      await Promise.all(stagedAll.map((st) => st.discard()));
      expect(won.filter(Boolean)).toHaveLength(1);
      const stored = Buffer.from((await storage.get(q))!);
      expect(stored.equals(Buffer.from(bodies[won.indexOf(true)]!))).toBe(true);
      expect(fs.readdirSync(path.join(dataDir, "files", tenant)).sort()).toEqual(
        [path.basename(p), path.basename(q)].sort(),
      );
    });

    it("refuses a token that is expired, tampered with or not a token", async () => {
      const storage = new local.LocalFileStorage(path.join(dataDir, "files"));
      const p = objectPath();
      const signed = await storage.signedUploadUrl(p, { origin: "http://localhost:3000", sizeBytes: 5 * MiB });
      const token = tokenOf(signed.url);
      expect(local.verifyUploadToken(token)).toEqual({ path: p, sizeBytes: 5 * MiB, contentType: "application/pdf" });

      vi.useFakeTimers({ toFake: ["Date"] });
      try {
        vi.setSystemTime(Date.now() + 2 * 3600_000 - 60_000);
        expect(local.verifyUploadToken(token)).not.toBeNull();
        vi.setSystemTime(Date.now() + 61_000);
        expect(local.verifyUploadToken(token)).toBeNull();
      } finally {
        vi.useRealTimers();
      }

      const [body, signature] = token.split(".") as [string, string];
      const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      const reencode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const otherTenant = `${randomUUID()}/${randomUUID()}.pdf`;
      expect(local.verifyUploadToken(`${reencode({ ...payload, path: otherTenant })}.${signature}`)).toBeNull();
      expect(local.verifyUploadToken(`${reencode({ ...payload, size: 10 ** 9 })}.${signature}`)).toBeNull();
      expect(local.verifyUploadToken(`${reencode({ ...payload, type: "text/html" })}.${signature}`)).toBeNull();
      expect(local.verifyUploadToken(`${reencode({ ...payload, exp: payload.exp + 86400 })}.${signature}`)).toBeNull();
      const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
      expect(local.verifyUploadToken(`${body}.${flipped}`)).toBeNull();
      const { hmacSign } = await import("@/lib/crypto/secret-box");
      expect(local.verifyUploadToken(`${body}.${hmacSign("another-purpose", body)}`)).toBeNull();
      for (const junk of ["", ".", body, `${body}.`, `${token}.x`, "x.y", null, undefined]) {
        expect(local.verifyUploadToken(junk)).toBeNull();
      }
      // A correctly signed token still cannot name a path outside the rules.
      const evil = reencode({ path: "../../etc/x.pdf", size: 10, type: "application/pdf", exp: payload.exp });
      expect(local.verifyUploadToken(`${evil}.${hmacSign("storage-upload", evil)}`)).toBeNull();
    });
  });

  describe("SupabaseFileStorage", () => {
    const admin = () =>
      createClient(fake.url, SECRET_KEY, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      });
    const anon = () =>
      createClient(fake.url, PUBLISHABLE_KEY, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      });

    it("creates the bucket private, 20 MB, PDF only; fixes an existing bucket's settings", async () => {
      const s = new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "fresh" });
      await s.ensureBucket();
      await s.ensureBucket();
      expect(fake.buckets.get("fresh")).toMatchObject({
        public: false,
        file_size_limit: 20 * MiB,
        allowed_mime_types: ["application/pdf"],
      });

      const { error } = await admin().storage.createBucket("legacy", { public: true });
      expect(error).toBeNull();
      await new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "legacy" }).ensureBucket();
      expect(fake.buckets.get("legacy")).toMatchObject({
        public: false,
        file_size_limit: 20 * MiB,
        allowed_mime_types: ["application/pdf"],
      });
      const listed = (await (await fetch(`${fake.url}/__fake/buckets`)).json()) as { buckets: { id: string }[] };
      expect(listed.buckets.map((b) => b.id)).toEqual(expect.arrayContaining(["fresh", "legacy"]));
    });

    it("is chosen when the project URL and the secret key are set, and cached per process", async () => {
      const { loadConfig } = await import("@/lib/config");
      const supa = { NEXT_PUBLIC_SUPABASE_URL: fake.url, DATA_DIR: dataDir };
      expect(storageIndex.createFileStorage(loadConfig(env({ ...supa, SUPABASE_SECRET_KEY: SECRET_KEY }))).kind).toBe(
        "supabase",
      );
      expect(
        storageIndex.createFileStorage(
          loadConfig(env({ ...supa, NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY })),
        ).kind,
      ).toBe("local");
      expect(storageIndex.fileStorage().kind).toBe("supabase");
      expect(storageIndex.fileStorage()).toBe(storageIndex.fileStorage());
    });

    it("the bucket refuses a non-PDF type and an object over 20 MB, on signed uploads too", async () => {
      const s = new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "documents" });
      const p1 = objectPath();
      const signed = await s.signedUploadUrl(p1, { origin: "http://app.test", sizeBytes: 20 * MiB });

      const wrongType = await fetch(signed.url, {
        method: "PUT",
        headers: { "content-type": "text/html" },
        body: "<h1>hi</h1>",
      });
      expect(wrongType.status).toBe(400);
      expect(await wrongType.json()).toMatchObject({ statusCode: "415", code: "InvalidMimeType" });

      const tooBig = await fetch(signed.url, { method: "PUT", headers: signed.headers, body: pdf(20 * MiB + 1) });
      expect(tooBig.status).toBe(400);
      expect(await tooBig.json()).toMatchObject({
        statusCode: "413",
        code: "EntityTooLarge",
        error: "Payload too large",
      });
      expect(await s.get(p1)).toBeNull();

      // Through storage-js with the secret key, bypassing our own checks: Storage refuses too.
      const p2 = objectPath();
      const files = admin().storage.from("documents");
      const plain = await files.upload(p2, new TextEncoder().encode("hello"), { contentType: "text/plain" });
      expect(plain.error).toMatchObject({ status: 400, statusCode: "415", code: "InvalidMimeType" });
      const big = await files.upload(p2, pdf(20 * MiB + 1), { contentType: "application/pdf" });
      expect(big.error).toMatchObject({ status: 400, statusCode: "413", code: "EntityTooLarge" });
      expect(fake.objectPaths()).not.toContain(`documents/${p2}`);
    });

    it("a signed upload URL works once, for its own path, until it expires", async () => {
      const s = new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "documents" });
      const p = objectPath();
      const signed = await s.signedUploadUrl(p, { origin: "http://app.test", sizeBytes: MiB });
      expect(signed.url.startsWith(`${fake.url}/storage/v1/object/upload/sign/documents/${p}?token=`)).toBe(true);
      const put = (url: string) => fetch(url, { method: "PUT", headers: signed.headers, body: pdf() });

      // Another path with this token.
      const other = new URL(signed.url);
      other.pathname = other.pathname.replace(p, objectPath());
      const wrongPath = await put(other.toString());
      expect(await wrongPath.json()).toMatchObject({ statusCode: "400", code: "InvalidSignature" });
      // A token that is not Storage's.
      const forged = new URL(signed.url);
      forged.searchParams.set("token", `${tokenOf(signed.url).slice(0, -4)}AAAA`);
      const badToken = await put(forged.toString());
      expect(badToken.status).toBe(400);
      expect(await badToken.json()).toMatchObject({ code: "InvalidJWT" });

      expect((await put(signed.url)).status).toBe(200);
      const again = await put(signed.url);
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ statusCode: "409", error: "Duplicate" });

      fake.setSignedUploadExpiresIn(-10);
      try {
        const late = await s.signedUploadUrl(objectPath(), { origin: "http://app.test", sizeBytes: MiB });
        const expired = await put(late.url);
        expect(expired.status).toBe(400);
        expect(await expired.json()).toMatchObject({ code: "InvalidJWT", message: "jwt expired" });
      } finally {
        fake.setSignedUploadExpiresIn(7200);
      }

      const listed = (await (await fetch(`${fake.url}/__fake/objects?bucket=documents`)).json()) as {
        objects: { name: string; size: number; content_type: string }[];
      };
      expect(listed.objects).toContainEqual(expect.objectContaining({ name: p, content_type: "application/pdf" }));
    });

    it("needs the secret key: the publishable key sees and writes nothing, no key is refused", async () => {
      const p = objectPath();
      await new supabase.SupabaseFileStorage({ url: fake.url, secretKey: SECRET_KEY, bucket: "documents" }).put(
        p,
        pdf(),
        "application/pdf",
      );
      const files = anon().storage.from("documents");
      expect((await files.download(p)).error).toMatchObject({ status: 400, statusCode: "404", code: "NoSuchKey" });
      expect((await files.upload(objectPath(), pdf(), { contentType: "application/pdf" })).error).toMatchObject({
        statusCode: "403",
        code: "AccessDenied",
      });
      expect((await files.createSignedUploadUrl(objectPath())).error).toMatchObject({ statusCode: "403" });
      expect((await anon().storage.createBucket("mine", { public: true })).error).toMatchObject({ statusCode: "403" });
      expect((await anon().storage.getBucket("documents")).error).toMatchObject({ statusCode: "404" });
      expect((await files.list(p.split("/")[0])).data).toEqual([]);
      expect((await files.remove([p])).data).toEqual([]);

      const noKey = await fetch(`${fake.url}/storage/v1/object/documents/${p}`);
      expect(noKey.status).toBe(401);
      expect(fake.objectPaths()).toContain(`documents/${p}`);
    });

    it("deletePrefix pages through large folders", async () => {
      const s = new supabase.SupabaseFileStorage({
        url: fake.url,
        secretKey: SECRET_KEY,
        bucket: "documents",
        pageSize: 2,
      });
      const a = randomUUID();
      const b = randomUUID();
      const aPaths = Array.from({ length: 7 }, () => objectPath(a));
      const keep = objectPath(b);
      for (const p of [...aPaths, keep]) await s.put(p, pdf(100), "application/pdf");
      await s.deletePrefix(a);
      const left = fake.objectPaths();
      for (const p of aPaths) expect(left).not.toContain(`documents/${p}`);
      expect(left).toContain(`documents/${keep}`);
    });

    it("the fake can front the Auth fake, so one project URL serves both", async () => {
      const { startSupabaseAuthFake } = await import("@/tests/fakes/supabase-auth");
      const { startSupabaseStorageFake } = await import("@/tests/fakes/supabase-storage");
      const auth = await startSupabaseAuthFake({ secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY });
      const both = await startSupabaseStorageFake({
        secretKey: SECRET_KEY,
        publishableKey: PUBLISHABLE_KEY,
        upstream: auth.url,
      });
      try {
        const client = createClient(both.url, SECRET_KEY, {
          auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        });
        const { data, error } = await client.auth.admin.createUser({
          email: "both@example.test",
          password: "long enough password",
          email_confirm: true,
        });
        expect(error).toBeNull();
        expect(auth.users.get(data.user!.id)?.email).toBe("both@example.test");
        const s = new supabase.SupabaseFileStorage({ url: both.url, secretKey: SECRET_KEY, bucket: "documents" });
        const p = objectPath();
        await s.put(p, pdf(), "application/pdf");
        expect(both.objectPaths()).toEqual([`documents/${p}`]);
      } finally {
        await both.close();
        await auth.close();
      }
    });

    it("reports an unreachable Storage as service_unavailable", async () => {
      const s = new supabase.SupabaseFileStorage({
        url: "http://127.0.0.1:9",
        secretKey: SECRET_KEY,
        bucket: "documents",
        timeoutMs: 2000,
      });
      await expect(s.get(objectPath())).rejects.toMatchObject({ code: "service_unavailable" });
      await expect(s.put(objectPath(), pdf(), "application/pdf")).rejects.toMatchObject({
        code: "service_unavailable",
      });
    });
  });
}
