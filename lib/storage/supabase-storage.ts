import "server-only";
import { createClient, StorageApiError, type SupabaseClient } from "@supabase/supabase-js";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";
import { log } from "@/lib/log";
import type { FileStorage, SignedUpload } from "./file-storage";
import {
  assertObjectAllowed,
  assertObjectPath,
  assertPrefix,
  MAX_OBJECT_BYTES,
  OBJECT_CONTENT_TYPE,
  UPLOAD_URL_TTL_SECONDS,
} from "./local-storage";

/**
 * Production file storage: a private Supabase Storage bucket, reached with the secret
 * key (server side only; it bypasses Storage's row-level security, so every path is
 * checked here first). The bucket is created on first write if missing, private, with
 * the same limits the local mode applies (20 MB, application/pdf only), so Supabase
 * itself refuses anything else even on uploads that go straight from the browser.
 *
 * Wire-level notes (storage-js 2.x against supabase/storage):
 * - Storage answers most errors with HTTP 400 and puts the real status in the body's
 *   `statusCode` ("404", "409", "413", "415"…), with `code` such as NoSuchKey or
 *   EntityTooLarge; storage-js copies them to StorageApiError.statusCode / .code.
 * - A signed upload URL's lifetime is set by the server (2 h on Supabase), not by the
 *   client; whether it may overwrite is fixed when it is signed (x-upsert on the sign
 *   request), not by the x-upsert header of the upload itself.
 */

export interface SupabaseStorageOptions {
  url: string;
  secretKey: string;
  bucket: string;
  /** Objects listed per request by deletePrefix (Storage caps a delete at 1,000 paths). */
  pageSize?: number;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
}

type StorageFailure = { message: string; status?: number; statusCode?: string; code?: string; name?: string };

function errorFields(error: unknown): StorageFailure {
  if (error instanceof StorageApiError) {
    return {
      name: error.name,
      message: error.message,
      status: error.status,
      statusCode: error.statusCode,
      code: error.code,
    };
  }
  const e = error as { name?: string; message?: string };
  return { name: e?.name, message: e?.message ?? String(error) };
}

/** "Object not found", whichever way this Storage version says it. */
function isNoSuchKey(error: unknown): boolean {
  if (!(error instanceof StorageApiError)) return false;
  if (error.code) return error.code === "NoSuchKey";
  return error.statusCode === "404" || error.status === 404;
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof StorageApiError && (error.statusCode === "409" || error.status === 409);
}

/** The bucket's own refusals, as the app's 413/415; everything else is Storage failing. */
function failure(what: string, error: unknown): AppError {
  const d = errorFields(error);
  if (d.statusCode === "413" || d.code === "EntityTooLarge") {
    return new AppError("payload_too_large", `Files are limited to ${MAX_OBJECT_BYTES / 1024 / 1024} MB.`);
  }
  if (d.statusCode === "415" || d.code === "InvalidMimeType") {
    return new AppError("unsupported_media_type", `Only ${OBJECT_CONTENT_TYPE} files can be stored.`);
  }
  log.error({ err: d }, what);
  const unreachable = !(error instanceof StorageApiError) || (error.status ?? 0) >= 500;
  return unreachable
    ? new AppError("service_unavailable", "File storage is unreachable right now; try again shortly.")
    : new AppError("internal", `${what}.`);
}

/** The `exp` claim of a Storage upload token (a JWT), if readable. */
function tokenExpiry(token: string): Date | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload.exp === "number" ? new Date(payload.exp * 1000) : null;
  } catch {
    return null;
  }
}

export class SupabaseFileStorage implements FileStorage {
  readonly kind = "supabase" as const;
  readonly bucket: string;
  private readonly client: SupabaseClient;
  private readonly pageSize: number;
  private bucketReady: Promise<void> | undefined;

  constructor(options?: SupabaseStorageOptions) {
    const cfg = config();
    const opts = options ?? {
      url: cfg.NEXT_PUBLIC_SUPABASE_URL ?? "",
      secretKey: cfg.SUPABASE_SECRET_KEY ?? "",
      bucket: cfg.SUPABASE_STORAGE_BUCKET,
    };
    if (!opts.url || !opts.secretKey) {
      throw new Error("Supabase Storage needs NEXT_PUBLIC_SUPABASE_URL and SUPABASE_SECRET_KEY.");
    }
    this.bucket = opts.bucket;
    this.pageSize = Math.min(Math.max(opts.pageSize ?? 1000, 1), 1000);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    this.client = createClient(opts.url, opts.secretKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: {
        // storage-js sets no timeout of its own: a hung Storage must not hold a job forever.
        fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
      },
    });
  }

  private files() {
    return this.client.storage.from(this.bucket);
  }

  /**
   * Creates the bucket if it does not exist (private, 20 MB, PDFs only), or brings an
   * existing one back to those settings. Idempotent; safe when several instances race.
   */
  async ensureBucket(): Promise<void> {
    const settings = {
      public: false,
      fileSizeLimit: MAX_OBJECT_BYTES,
      allowedMimeTypes: [OBJECT_CONTENT_TYPE],
    };
    const storage = this.client.storage;
    const { data: existing, error } = await storage.getBucket(this.bucket);
    if (error) {
      const missing = error instanceof StorageApiError && (error.statusCode === "404" || error.status === 404);
      if (!missing) throw failure(`Storage bucket "${this.bucket}" could not be read`, error);
      const created = await storage.createBucket(this.bucket, settings);
      if (created.error && !isAlreadyExists(created.error)) {
        throw failure(`Storage bucket "${this.bucket}" could not be created`, created.error);
      }
      if (!created.error) log.info({ bucket: this.bucket }, "Storage bucket created");
      return;
    }
    const same =
      existing.public === false &&
      existing.file_size_limit === MAX_OBJECT_BYTES &&
      JSON.stringify(existing.allowed_mime_types ?? null) === JSON.stringify(settings.allowedMimeTypes);
    if (same) return;
    const updated = await storage.updateBucket(this.bucket, settings);
    if (updated.error) throw failure(`Storage bucket "${this.bucket}" could not be updated`, updated.error);
    log.warn({ bucket: this.bucket }, "Storage bucket settings reset to private, 20 MB, application/pdf");
  }

  /** ensureBucket once per instance (again after a failure). */
  private ready(): Promise<void> {
    this.bucketReady ??= this.ensureBucket().catch((err) => {
      this.bucketReady = undefined;
      throw err;
    });
    return this.bucketReady;
  }

  async put(path: string, bytes: Uint8Array, contentType: string): Promise<void> {
    assertObjectPath(path);
    assertObjectAllowed(bytes.byteLength, contentType);
    await this.ready();
    const { error } = await this.files().upload(path, bytes, { contentType, upsert: true });
    if (error) throw failure("The file could not be stored", error);
  }

  async get(path: string): Promise<Uint8Array | null> {
    assertObjectPath(path);
    const { data, error } = await this.files().download(path);
    if (error) {
      if (isNoSuchKey(error)) return null;
      throw failure("The file could not be read", error);
    }
    return new Uint8Array(await data.arrayBuffer());
  }

  async delete(path: string): Promise<void> {
    assertObjectPath(path);
    // Removing a missing object is not an error on Storage either (it lists what it removed).
    const { error } = await this.files().remove([path]);
    if (error) throw failure("The file could not be deleted", error);
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    await this.deleteFolder(prefix, 0);
  }

  /** Lists one folder (Storage's list is one level deep) and removes what it holds. */
  private async deleteFolder(folder: string, depth: number): Promise<void> {
    if (depth > 10) throw new Error(`Storage folder "${folder}" is nested too deeply to delete`);
    // Each pass removes what it listed (a folder disappears with its last object), so
    // the next page is again at offset 0.
    for (;;) {
      const { data, error } = await this.files().list(folder, {
        limit: this.pageSize,
        offset: 0,
        sortBy: { column: "name", order: "asc" },
      });
      if (error) throw failure("The files could not be listed", error);
      const files = data.filter((o) => o.id !== null).map((o) => `${folder}/${o.name}`);
      const subfolders = data.filter((o) => o.id === null).map((o) => `${folder}/${o.name}`);
      for (const sub of subfolders) await this.deleteFolder(sub, depth + 1);
      if (files.length > 0) {
        const removed = await this.files().remove(files);
        if (removed.error) throw failure("The files could not be deleted", removed.error);
        // Nothing removed although listed: looping again would never end.
        if (removed.data.length === 0) throw failure("The files could not be deleted", new Error("nothing removed"));
      }
      if (data.length < this.pageSize || (files.length === 0 && subfolders.length === 0)) return;
    }
  }

  /**
   * Storage answers and takes the secret key. A missing bucket is fine: the first upload
   * creates it (ensureBucket). Refused keys, 5xx and no answer at all are not.
   */
  async check(): Promise<void> {
    const { error } = await this.client.storage.getBucket(this.bucket);
    if (!error) return;
    const d = errorFields(error);
    const status = Number(d.statusCode ?? d.status);
    if (error instanceof StorageApiError && status === 404) return;
    throw new Error(`Storage could not be reached or refused the secret key: ${d.message}`);
  }

  /**
   * The URL points at Supabase, not at the app, so `origin` is not used; nor is
   * `sizeBytes`: Storage cannot bound one URL, the bucket's limit (20 MB) bounds every
   * upload, and /complete measures the stored object (it must be the declared size).
   * Storage cannot revoke a signed URL either: a document deleted while its URL may still
   * be used gets a delayed removal of its path (lib/documents/orphan-files.ts).
   */
  async signedUploadUrl(path: string, _opts: { origin: string; sizeBytes: number }): Promise<SignedUpload> {
    assertObjectPath(path);
    await this.ready();
    // Not upsert: the URL can create this object once, never replace it afterwards
    // (Storage answers a second upload 409 Duplicate, as long as the object exists).
    const { data, error } = await this.files().createSignedUploadUrl(path);
    if (error) throw failure("The upload URL could not be created", error);
    return {
      url: data.signedUrl,
      method: "PUT",
      headers: { "content-type": OBJECT_CONTENT_TYPE },
      expiresAt: (tokenExpiry(data.token) ?? new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000)).toISOString(),
    };
  }
}
