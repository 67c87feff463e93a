import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import { hmacSign, hmacVerify } from "@/lib/crypto/secret-box";
import { AppError } from "@/lib/http/errors";
import type { FileStorage, SignedUpload } from "./file-storage";

/**
 * The embedded mode's file storage: one file per object under `<DATA_DIR>/files/<path>`.
 * Writes go to a temporary file in the same folder, are flushed, then renamed over the
 * target, so a reader sees the old bytes or the new ones, never half a file.
 *
 * Browsers upload through the app itself: signedUploadUrl returns
 * `<origin>/api/v1/storage/upload?token=…` where the token is an HMAC-signed
 * `{path, size, type, exp}`: the one object it may create, its exact size and type, and
 * its expiry. The route that receives the bytes checks it with verifyUploadToken and
 * creates the object with stage() + publish(), which never replaces an existing file: a
 * URL works once (lib/documents/local-upload.ts also refuses it once its document is
 * completed or deleted).
 *
 * The path rules and the object limits below are shared with the Supabase implementation,
 * so both modes accept and refuse the same things.
 */

/** What a stored object may be: the bucket's limits, applied in both modes. */
export const MAX_OBJECT_BYTES = 20 * 1024 * 1024;
export const OBJECT_CONTENT_TYPE = "application/pdf";
/** Signed upload URLs are valid this long (as Supabase's, whose lifetime is 2 h). */
export const UPLOAD_URL_TTL_SECONDS = 2 * 60 * 60;
/** Where the local signed upload URLs point, relative to the app's origin. */
export const LOCAL_UPLOAD_ROUTE = "/api/v1/storage/upload";

export class InvalidStoragePathError extends Error {
  override name = "InvalidStoragePathError";
}

// One folder name: letters, digits, "-" and "_" (uuids and similar ids). No dots, so
// no "." or ".." segment, no slash or backslash, no drive letter, no NUL.
const SEGMENT = "[A-Za-z0-9_-]{1,100}";
const OBJECT_PATH = new RegExp(`^${SEGMENT}/${SEGMENT}\\.pdf$`);
const PREFIX = new RegExp(`^${SEGMENT}$`);

/** Refuses anything but "<tenant>/<document>.pdf" (a relative path, two plain segments). */
export function assertObjectPath(p: string): void {
  if (typeof p !== "string" || !OBJECT_PATH.test(p)) {
    throw new InvalidStoragePathError(`Invalid storage path ${JSON.stringify(p)}: expected "<tenant>/<document>.pdf"`);
  }
}

/** Refuses anything but one plain folder name (a tenant id); never the empty prefix. */
export function assertPrefix(prefix: string): void {
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new InvalidStoragePathError(`Invalid storage prefix ${JSON.stringify(prefix)}: expected one folder name`);
  }
}

/** The checks the bucket applies to every object, as the errors the API maps to 413/415. */
export function assertObjectAllowed(size: number, contentType: string): void {
  const type = contentType.split(";")[0]?.trim().toLowerCase();
  if (type !== OBJECT_CONTENT_TYPE) {
    throw new AppError("unsupported_media_type", `Only ${OBJECT_CONTENT_TYPE} files can be stored.`);
  }
  if (size > MAX_OBJECT_BYTES) {
    throw new AppError("payload_too_large", `Files are limited to ${MAX_OBJECT_BYTES / 1024 / 1024} MB.`);
  }
}

const TOKEN_PURPOSE = "storage-upload";

interface UploadTokenPayload {
  path: string;
  /** The exact number of bytes the upload must carry (the size declared for it). */
  size: number;
  /** The Content-Type the upload must be sent with. */
  type: string;
  exp: number;
}

/** What a valid local upload token allows: one object, of exactly this size and type. */
export interface UploadGrant {
  path: string;
  sizeBytes: number;
  contentType: string;
}

function signUploadToken(payload: UploadTokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${hmacSign(TOKEN_PURPOSE, body)}`;
}

/**
 * The object, size and type a local upload token grants, or null when the token is
 * malformed, tampered with, signed with another key or expired.
 */
export function verifyUploadToken(token: string | null | undefined): UploadGrant | null {
  if (typeof token !== "string" || token.length > 2048) return null;
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return null;
  if (!hmacVerify(TOKEN_PURPOSE, body, signature)) return null;
  let payload: Partial<UploadTokenPayload>;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const { path: p, size, type, exp } = payload ?? {};
  if (typeof p !== "string" || typeof size !== "number" || typeof type !== "string" || typeof exp !== "number") {
    return null;
  }
  if (!Number.isSafeInteger(size) || size <= 0 || size > MAX_OBJECT_BYTES) return null;
  if (exp * 1000 <= Date.now()) return null;
  try {
    assertObjectPath(p);
  } catch {
    return null;
  }
  return { path: p, sizeBytes: size, contentType: type };
}

/** Bytes written and flushed beside their target, not yet visible there. */
export interface StagedObject {
  /**
   * Makes the bytes the object at the path, only if there is none yet (a hard link, which
   * is atomic and fails when the target exists): true when published, false when an
   * object was already there (which is left untouched).
   */
  publish(): Promise<boolean>;
  /** Removes the temporary file (always call it, published or not). */
  discard(): Promise<void>;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export class LocalFileStorage implements FileStorage {
  readonly kind = "local" as const;
  /** The folder holding every object (`<DATA_DIR>/files` by default). */
  readonly root: string;

  constructor(root: string = path.join(config().dataDir, "files")) {
    this.root = path.resolve(root);
  }

  private file(p: string): string {
    assertObjectPath(p);
    const full = path.join(this.root, ...p.split("/"));
    // Belt and braces: the pattern already rules out anything that could leave the root.
    if (!full.startsWith(this.root + path.sep)) throw new InvalidStoragePathError(`Invalid storage path "${p}"`);
    return full;
  }

  async put(p: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const staged = await this.stage(p, bytes, contentType);
    try {
      await fs.rename(staged.temp, staged.target);
    } finally {
      await staged.discard();
    }
  }

  /**
   * Writes the bytes to a flushed temporary file next to the object, for publish() to
   * create the object from it later without replacing one (the slow part, writing and
   * fsync, happens before the caller takes any lock).
   */
  async stage(
    p: string,
    bytes: Uint8Array,
    contentType: string,
  ): Promise<StagedObject & { temp: string; target: string }> {
    const target = this.file(p);
    assertObjectAllowed(bytes.byteLength, contentType);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temp = `${target}.${crypto.randomBytes(6).toString("hex")}.tmp`;
    try {
      const handle = await fs.open(temp, "wx", 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => {});
      throw err;
    }
    return {
      temp,
      target,
      publish: () => publishIfAbsent(temp, target),
      discard: () => fs.rm(temp, { force: true }).catch(() => {}),
    };
  }

  async get(p: string): Promise<Uint8Array | null> {
    const target = this.file(p);
    try {
      const buf = await fs.readFile(target);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(p: string): Promise<void> {
    await fs.rm(this.file(p), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    await fs.rm(path.join(this.root, prefix), { recursive: true, force: true });
  }

  async check(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    await fs.access(this.root, fs.constants.W_OK);
  }

  async signedUploadUrl(p: string, opts: { origin: string; sizeBytes: number }): Promise<SignedUpload> {
    assertObjectPath(p);
    if (!Number.isSafeInteger(opts.sizeBytes) || opts.sizeBytes <= 0 || opts.sizeBytes > MAX_OBJECT_BYTES) {
      throw new RangeError(`sizeBytes must be a positive integer up to ${MAX_OBJECT_BYTES}, got ${opts.sizeBytes}`);
    }
    const origin = new URL(opts.origin);
    if (origin.protocol !== "http:" && origin.protocol !== "https:") {
      throw new RangeError(`origin must be an http(s) URL, got ${opts.origin}`);
    }
    const exp = Math.floor(Date.now() / 1000) + UPLOAD_URL_TTL_SECONDS;
    const url = new URL(LOCAL_UPLOAD_ROUTE, origin.origin);
    url.searchParams.set("token", signUploadToken({ path: p, size: opts.sizeBytes, type: OBJECT_CONTENT_TYPE, exp }));
    return {
      url: url.toString(),
      method: "PUT",
      headers: { "content-type": OBJECT_CONTENT_TYPE },
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }
}

/**
 * Creates `target` from `temp` unless `target` exists. A hard link does it atomically;
 * where the folder's file system has no hard links, an exclusive copy (O_EXCL) still never
 * replaces an existing object, though a reader may then see the copy while it is written.
 */
async function publishIfAbsent(temp: string, target: string): Promise<boolean> {
  try {
    await fs.link(temp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV") throw err;
  }
  try {
    await fs.copyFile(temp, target, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}
