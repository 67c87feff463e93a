import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";

/**
 * A local stand-in for Supabase Storage speaking the wire format of supabase/storage as
 * storage-js 2.x (supabase-js 2.119) calls it, for tests. Point NEXT_PUBLIC_SUPABASE_URL at
 * `url`; requests arrive under /storage/v1 as they do on a project. Objects live in memory.
 *
 * Implemented:
 * - GET    /storage/v1/bucket                          listBuckets
 * - GET    /storage/v1/bucket/:id                      getBucket
 * - POST   /storage/v1/bucket                          createBucket {id, name, public, file_size_limit, allowed_mime_types}
 * - PUT    /storage/v1/bucket/:id                      updateBucket → {message}
 * - POST   /storage/v1/bucket/:id/empty                emptyBucket
 * - DELETE /storage/v1/bucket/:id                      deleteBucket (409 ResourceNotEmpty unless empty)
 * - POST   /storage/v1/object/:bucket/:path            upload (x-upsert: "true" to overwrite) → {Id, Key}
 * - PUT    /storage/v1/object/:bucket/:path            update (overwrites) → {Id, Key}
 * - GET    /storage/v1/object/:bucket/:path            download (also /object/authenticated/…; HEAD too)
 * - GET    /storage/v1/object/public/:bucket/:path     public download (public buckets only)
 * - GET    /storage/v1/object/info/:bucket/:path       info (exists() uses it)
 * - DELETE /storage/v1/object/:bucket                  remove {prefixes: [...]} → the rows removed
 * - DELETE /storage/v1/object/:bucket/:path            delete one object
 * - POST   /storage/v1/object/list/:bucket             list {prefix, limit, offset, sortBy, search}, one level
 * - POST   /storage/v1/object/upload/sign/:bucket/:path  createSignedUploadUrl → {url, token} (x-upsert at
 *                                                      signing decides whether the URL may overwrite)
 * - PUT    /storage/v1/object/upload/sign/:bucket/:path?token=…  upload to a signed URL → {Key}; needs no
 *                                                      apikey: the token (an HS256 JWT) is the authorisation
 * - OPTIONS anything: CORS preflight (Storage allows any origin), so a browser can upload directly.
 * - GET    /__fake/objects[?bucket=]                   {objects: [{bucket, name, size, content_type, …}]}
 * - GET    /__fake/buckets                             {buckets: [...]}  (both for assertions from another process)
 *
 * Faithful details:
 * - The API gateway: every request but signed and public ones needs an `apikey` header (or
 *   query param) holding the publishable or the secret key, else 401 `{message, hint}`.
 *   The secret key (with no Authorization or `Bearer <secret key>`, as supabase-js sends it)
 *   acts as service_role and bypasses row-level security; anything else is a role without
 *   policies on a private bucket: it sees no bucket and no object, lists nothing, removes
 *   nothing, and every write fails with the RLS error.
 * - Errors are supabase/storage's StorageBackendError: HTTP 400 (500 for 500s) whatever the
 *   error, the real status in the body: `{statusCode: "404", code: "NoSuchKey", error:
 *   "not_found", message: "Object not found"}`, `"409"` Duplicate, `"413"` EntityTooLarge,
 *   `"415"` InvalidMimeType, `"403"` AccessDenied ("new row violates row-level security policy").
 * - Uploads: a raw body's Content-Type is the object's MIME type (multipart bodies, which
 *   storage-js sends for Blob/File/FormData, use the `contentType` field or the part's
 *   type); it must match the bucket's allowed_mime_types (`type/subtype` or `type/*`,
 *   compared as sent, parameters included, as Storage does); then the size must not exceed
 *   the bucket's file_size_limit nor the project's global limit. A string limit such as
 *   "20MB" is decimal (20,000,000 bytes), as Storage parses it.
 * - A signed upload URL expires after 7,200 s (Storage's default, not settable by the
 *   client); the PUT checks the JWT, that it was signed for this bucket/path, then uploads
 *   as service_role with the upsert flag fixed at signing. Signing refuses an existing
 *   object unless x-upsert was "true" (Storage checks the insert at signing time).
 *
 * Not implemented: user JWTs and RLS policies, object versions, image transformations,
 * signed download URLs, move/copy, TUS resumable and S3 protocol uploads, list-v2, exact
 * messages of validation errors (Fastify's), rate limits.
 */
export interface FakeStoredObject {
  id: string;
  name: string;
  bytes: Uint8Array;
  contentType: string;
  cacheControl: string;
  etag: string;
  userMetadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  lastAccessedAt: string;
}

export interface FakeBucket {
  id: string;
  name: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
  objects: Map<string, FakeStoredObject>;
}

export interface FakeStorageRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  apikey: string | null;
  authorization: string | null;
  contentType: string | null;
  bodyBytes: number;
}

export interface SupabaseStorageFake {
  /** Base URL to use as NEXT_PUBLIC_SUPABASE_URL (no trailing slash). */
  url: string;
  buckets: Map<string, FakeBucket>;
  /** Every request received, in order (for assertions). */
  requests: FakeStorageRequest[];
  /** "<bucket>/<name>" of every stored object, sorted. */
  objectPaths: () => string[];
  /** Lifetime of signed upload URLs issued from now on (seconds; Storage's default is 7200). */
  setSignedUploadExpiresIn: (seconds: number) => void;
  close: () => Promise<void>;
}

export interface SupabaseStorageFakeOptions {
  port?: number;
  publishableKey?: string;
  secretKey?: string;
  /** The project's global upload limit (bytes); Supabase's free plan allows 50 MB. */
  globalFileSizeLimit?: number;
  /**
   * Requests outside /storage/v1 and /__fake are forwarded here (e.g. the Supabase Auth
   * fake's URL), so one base URL serves both, as on a real project.
   */
  upstream?: string;
}

class StorageFakeError extends Error {
  constructor(
    readonly httpStatusCode: number,
    readonly code: string,
    message: string,
    readonly error?: string,
  ) {
    super(message);
  }
}

const ERR = {
  noSuchBucket: () => new StorageFakeError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageFakeError(404, "NoSuchKey", "Object not found", "not_found"),
  rls: () => new StorageFakeError(403, "AccessDenied", "new row violates row-level security policy", "Unauthorized"),
  duplicate: () => new StorageFakeError(409, "ResourceAlreadyExists", "The resource already exists", "Duplicate"),
  bucketExists: () => new StorageFakeError(409, "BucketAlreadyExists", "The resource already exists", "Duplicate"),
  notEmpty: () => new StorageFakeError(409, "ResourceNotEmpty", "The bucket you tried to delete is not empty"),
  tooLarge: () =>
    new StorageFakeError(413, "EntityTooLarge", "The object exceeded the maximum allowed size", "Payload too large"),
  mime: (type: string) =>
    new StorageFakeError(415, "InvalidMimeType", `mime type ${type} is not supported`, "invalid_mime_type"),
  invalidJwt: (message: string) => new StorageFakeError(400, "InvalidJWT", message),
  invalidSignature: () => new StorageFakeError(400, "InvalidSignature", "Invalid signature"),
  invalidKey: (key: string) => new StorageFakeError(400, "InvalidKey", `Invalid key: ${key}`),
  invalidBucketName: (name: string) =>
    new StorageFakeError(400, "InvalidBucketName", `Bucket name invalid: ${name}`, "Invalid Input"),
  invalidFileSizeLimit: () =>
    new StorageFakeError(400, "InvalidRequest", "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B"),
  noContent: () => new StorageFakeError(400, "InvalidRequest", "No content provided"),
  validation: (message: string) => new StorageFakeError(400, "FST_ERR_VALIDATION", message, "Bad Request"),
  notFound: () => new StorageFakeError(404, "NotFound", "Route not found", "Not Found"),
};

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "content-length, content-type, content-range, etag, last-modified, cache-control, x-upsert",
};

// supabase/storage's isValidBucketName / isValidKey, simplified to ASCII.
const VALID_BUCKET_NAME = /^[\w!\-.*'() &$@=;:+,?]{1,100}$/;
const VALID_KEY = /^[\w/!\-.*'() &$@=;:+,?]{1,1024}$/;
const hasTraversal = (key: string) => /(^|\/)\.{1,2}(\/|$)/.test(key);

function parseSizeLimit(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === "string") {
    const m = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(value);
    if (!m) throw ERR.invalidFileSizeLimit();
    const unit = { GB: 1e9, MB: 1e6, KB: 1e3, B: 1 }[(m[2] as string).toUpperCase() as "GB" | "MB" | "KB" | "B"];
    return Math.round(Number(m[1]) * unit);
  }
  throw ERR.validation("body/file_size_limit must be integer or string");
}

/** supabase/storage's Uploader.validateMimeType. */
function mimeAllowed(mimeType: string, allowed: string[]): boolean {
  const [type, sub] = mimeType.split("/");
  if (sub === undefined) return false;
  return allowed.some((a) => {
    const [aType, aSub] = a.split("/");
    return aType === type && (aSub === "*" || aSub === sub);
  });
}

export async function startSupabaseStorageFake(options: SupabaseStorageFakeOptions = {}): Promise<SupabaseStorageFake> {
  const publishableKey = options.publishableKey ?? "sb_publishable_test";
  const secretKey = options.secretKey ?? "sb_secret_test";
  const globalLimit = options.globalFileSizeLimit ?? 50 * 1000 * 1000;
  const urlSigningKey = randomBytes(32);
  let signedUploadExpiresIn = 7200;

  const buckets = new Map<string, FakeBucket>();
  const requests: FakeStorageRequest[] = [];

  const bucketJson = (b: FakeBucket) => ({
    id: b.id,
    name: b.name,
    owner: "",
    public: b.public,
    type: "STANDARD",
    file_size_limit: b.file_size_limit,
    allowed_mime_types: b.allowed_mime_types,
    created_at: b.created_at,
    updated_at: b.updated_at,
  });

  const objectMetadata = (o: FakeStoredObject) => ({
    eTag: o.etag,
    size: o.bytes.byteLength,
    mimetype: o.contentType,
    cacheControl: o.cacheControl,
    lastModified: o.updatedAt,
    contentLength: o.bytes.byteLength,
    httpStatusCode: 200,
  });

  const objectRow = (b: FakeBucket, o: FakeStoredObject) => ({
    bucket_id: b.id,
    name: o.name,
    owner: null,
    owner_id: null,
    id: o.id,
    version: o.id,
    updated_at: o.updatedAt,
    created_at: o.createdAt,
    last_accessed_at: o.lastAccessedAt,
    metadata: objectMetadata(o),
    user_metadata: o.userMetadata,
  });

  function bucketOf(id: string): FakeBucket {
    const b = buckets.get(id);
    if (!b) throw ERR.noSuchBucket();
    return b;
  }

  function checkKey(key: string) {
    if (!key || !VALID_KEY.test(key) || hasTraversal(key)) throw ERR.invalidKey(key);
  }

  /** The object's bytes and type from a raw or multipart body, as Storage's Uploader reads them. */
  async function incomingFile(
    contentType: string | null,
    cacheControl: string | null,
    xMetadata: string | null,
    raw: Buffer,
  ) {
    if (contentType?.startsWith("multipart/form-data")) {
      let form: FormData;
      try {
        form = await new Request("http://fake/", {
          method: "POST",
          headers: { "content-type": contentType },
          body: new Uint8Array(raw),
        }).formData();
      } catch {
        throw ERR.noContent();
      }
      let file: File | undefined;
      for (const [, value] of form) if (typeof value !== "string" && !file) file = value;
      if (!file) throw ERR.noContent();
      const field = (name: string) => {
        const v = form.get(name);
        return typeof v === "string" ? v : undefined;
      };
      const md = field("metadata") ?? field("userMetadata");
      let userMetadata: Record<string, unknown> | null = null;
      try {
        userMetadata = md ? JSON.parse(md) : null;
      } catch {
        // Storage ignores unparsable metadata
      }
      return {
        bytes: new Uint8Array(await file.arrayBuffer()),
        mimeType: field("contentType") || file.type || "text/plain",
        cacheControl: field("cacheControl") ? `max-age=${field("cacheControl")}` : "no-cache",
        userMetadata,
      };
    }
    let userMetadata: Record<string, unknown> | null = null;
    if (xMetadata) {
      try {
        userMetadata = JSON.parse(Buffer.from(xMetadata, "base64").toString("utf8"));
      } catch {
        // ignored, as Storage does
      }
    }
    return {
      bytes: new Uint8Array(raw),
      mimeType: contentType || "application/octet-stream",
      cacheControl: cacheControl ?? "no-cache",
      userMetadata,
    };
  }

  /** Storage's uploadFromRequest: insert check, MIME type, size, then the write. */
  async function upload(
    b: FakeBucket,
    name: string,
    upsert: boolean,
    headers: http.IncomingHttpHeaders,
    raw: Buffer,
  ): Promise<FakeStoredObject> {
    checkKey(name);
    const existing = b.objects.get(name);
    if (existing && !upsert) throw ERR.duplicate();
    const file = await incomingFile(
      headers["content-type"] ?? null,
      (headers["cache-control"] as string | undefined) ?? null,
      (headers["x-metadata"] as string | undefined) ?? null,
      raw,
    );
    if (b.allowed_mime_types && b.allowed_mime_types.length > 0 && !mimeAllowed(file.mimeType, b.allowed_mime_types)) {
      throw ERR.mime(file.mimeType);
    }
    const limit = Math.min(b.file_size_limit ?? Number.POSITIVE_INFINITY, globalLimit);
    // A raw body is judged by its Content-Length, a multipart one by the file part read.
    const multipart = headers["content-type"]?.startsWith("multipart/form-data") ?? false;
    const declared = multipart ? 0 : Number(headers["content-length"] ?? 0);
    if (file.bytes.byteLength > limit || declared > limit) throw ERR.tooLarge();
    const now = new Date().toISOString();
    const obj: FakeStoredObject = {
      id: randomUUID(),
      name,
      bytes: file.bytes,
      contentType: file.mimeType,
      cacheControl: file.cacheControl,
      etag: `"${createHash("md5").update(file.bytes).digest("hex")}"`,
      userMetadata: file.userMetadata,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastAccessedAt: now,
    };
    b.objects.set(name, obj);
    return obj;
  }

  function list(b: FakeBucket, body: Record<string, unknown>) {
    let prefix = String(body.prefix);
    if (prefix.length > 0 && !prefix.endsWith("/")) prefix = `${prefix}/`;
    const limit = typeof body.limit === "number" ? body.limit : 100;
    const offset = typeof body.offset === "number" ? body.offset : 0;
    const search = typeof body.search === "string" ? body.search.toLowerCase() : "";
    const sortBy = (body.sortBy ?? {}) as { column?: string; order?: string };
    const column = sortBy.column ?? "name";
    const desc = (sortBy.order ?? "asc").toLowerCase() === "desc";

    type Entry = { name: string; id: string | null; updated_at: string | null; created_at: string | null } & Record<
      string,
      unknown
    >;
    const entries = new Map<string, Entry>();
    for (const o of b.objects.values()) {
      if (!o.name.startsWith(prefix)) continue;
      const rest = o.name.slice(prefix.length);
      const slash = rest.indexOf("/");
      const entryName = slash === -1 ? rest : rest.slice(0, slash);
      if (search && !entryName.toLowerCase().startsWith(search)) continue;
      if (slash !== -1) {
        if (!entries.has(`d:${entryName}`)) {
          entries.set(`d:${entryName}`, {
            name: entryName,
            id: null,
            updated_at: null,
            created_at: null,
            last_accessed_at: null,
            metadata: null,
          });
        }
      } else {
        entries.set(`f:${entryName}`, {
          name: entryName,
          id: o.id,
          updated_at: o.updatedAt,
          created_at: o.createdAt,
          last_accessed_at: o.lastAccessedAt,
          metadata: objectMetadata(o),
        });
      }
    }
    const key = (e: Entry) => String((column === "name" ? e.name : e[column]) ?? "");
    const sorted = [...entries.values()].sort((x, y) => {
      const c = key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
      return desc ? -c : c;
    });
    return sorted.slice(offset, offset + limit);
  }

  type Reply = { status: number; body?: unknown; raw?: { bytes: Uint8Array; headers: Record<string, string> } };

  async function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    service: boolean,
    headers: http.IncomingHttpHeaders,
    raw: Buffer,
  ): Promise<Reply> {
    const json = (): Record<string, unknown> => {
      if (raw.length === 0) return {};
      try {
        const parsed = JSON.parse(raw.toString("utf8"));
        return parsed && typeof parsed === "object" ? parsed : {};
      } catch {
        throw ERR.validation("Body is not valid JSON");
      }
    };

    // ── Buckets ──
    if (path === "/bucket" && method === "GET") {
      return { status: 200, body: service ? [...buckets.values()].map(bucketJson) : [] };
    }
    if (path === "/bucket" && method === "POST") {
      const body = json();
      const name = typeof body.name === "string" ? body.name : "";
      if (!name) throw ERR.validation("body must have required property 'name'");
      const id = typeof body.id === "string" && body.id ? body.id : name;
      if (!VALID_BUCKET_NAME.test(id)) throw ERR.invalidBucketName(id);
      if (!service) throw ERR.rls();
      if (buckets.has(id)) throw ERR.bucketExists();
      const now = new Date().toISOString();
      buckets.set(id, {
        id,
        name,
        public: body.public === true,
        file_size_limit: parseSizeLimit(body.file_size_limit),
        allowed_mime_types: Array.isArray(body.allowed_mime_types)
          ? (body.allowed_mime_types as unknown[]).filter((t): t is string => typeof t === "string" && t !== "")
          : null,
        created_at: now,
        updated_at: now,
        objects: new Map(),
      });
      return { status: 200, body: { name } };
    }
    const emptyRoute = /^\/bucket\/([^/]+)\/empty$/.exec(path);
    if (emptyRoute && method === "POST") {
      if (!service) throw ERR.noSuchBucket();
      bucketOf(decodeURIComponent(emptyRoute[1] as string)).objects.clear();
      return { status: 200, body: { message: "Successfully emptied" } };
    }
    const bucketRoute = /^\/bucket\/([^/]+)$/.exec(path);
    if (bucketRoute) {
      const id = decodeURIComponent(bucketRoute[1] as string);
      if (!service) throw ERR.noSuchBucket();
      const b = bucketOf(id);
      if (method === "GET") return { status: 200, body: bucketJson(b) };
      if (method === "PUT") {
        const body = json();
        if (typeof body.public === "boolean") b.public = body.public;
        if ("file_size_limit" in body) b.file_size_limit = parseSizeLimit(body.file_size_limit);
        if ("allowed_mime_types" in body) {
          b.allowed_mime_types = Array.isArray(body.allowed_mime_types)
            ? (body.allowed_mime_types as unknown[]).filter((t): t is string => typeof t === "string" && t !== "")
            : null;
        }
        b.updated_at = new Date().toISOString();
        return { status: 200, body: { message: "Successfully updated" } };
      }
      if (method === "DELETE") {
        if (b.objects.size > 0) throw ERR.notEmpty();
        buckets.delete(id);
        return { status: 200, body: { message: "Successfully deleted" } };
      }
    }

    // ── Signed uploads ──
    const signRoute = /^\/object\/upload\/sign\/([^/]+)\/(.+)$/.exec(path);
    if (signRoute) {
      const bucketId = decodeURIComponent(signRoute[1] as string);
      const name = decodeURIComponent(signRoute[2] as string);
      if (method === "POST") {
        if (!service) throw ERR.rls();
        checkKey(name);
        const b = bucketOf(bucketId);
        const upsert = headers["x-upsert"] === "true";
        if (!upsert && b.objects.has(name)) throw ERR.duplicate();
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({ url: `${bucketId}/${name}`, upsert })
          .setProtectedHeader({ alg: "HS256", typ: "JWT" })
          .setIssuedAt(now)
          .setExpirationTime(now + signedUploadExpiresIn)
          .sign(urlSigningKey);
        return { status: 200, body: { url: `/object/upload/sign/${bucketId}/${name}?token=${token}`, token } };
      }
      if (method === "PUT") {
        const token = query.get("token");
        if (!token) throw ERR.validation("querystring must have required property 'token'");
        let payload: Record<string, unknown>;
        try {
          payload = (await jwtVerify(token, urlSigningKey, { algorithms: ["HS256"] })).payload;
        } catch (err) {
          // Storage verifies with jsonwebtoken; these are its messages.
          if (err instanceof joseErrors.JWTExpired) throw ERR.invalidJwt("jwt expired");
          if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw ERR.invalidJwt("invalid signature");
          throw ERR.invalidJwt("jwt malformed");
        }
        if (payload.url !== `${bucketId}/${name}`) throw ERR.invalidSignature();
        const b = bucketOf(bucketId);
        await upload(b, name, payload.upsert === true, headers, raw);
        return { status: 200, body: { Key: `${bucketId}/${name}` } };
      }
    }

    // ── Listing ──
    const listRoute = /^\/object\/list\/([^/]+)$/.exec(path);
    if (listRoute && method === "POST") {
      const b = buckets.get(decodeURIComponent(listRoute[1] as string));
      const body = json();
      if (typeof body.prefix !== "string") throw ERR.validation("body must have required property 'prefix'");
      // A missing bucket, or one this role may not read, simply lists nothing.
      return { status: 200, body: b && service ? list(b, body) : [] };
    }

    // ── Info ──
    const infoRoute = /^\/object\/info\/(?:authenticated\/)?([^/]+)\/(.+)$/.exec(path);
    if (infoRoute && method === "GET") {
      const b = buckets.get(decodeURIComponent(infoRoute[1] as string));
      const o = service ? b?.objects.get(decodeURIComponent(infoRoute[2] as string)) : undefined;
      if (!b || !o) throw ERR.noSuchKey();
      return {
        status: 200,
        body: {
          id: o.id,
          name: o.name,
          version: o.id,
          bucket_id: b.id,
          size: o.bytes.byteLength,
          content_type: o.contentType,
          cache_control: o.cacheControl,
          etag: o.etag,
          metadata: o.userMetadata,
          last_modified: o.updatedAt,
          created_at: o.createdAt,
        },
      };
    }

    // ── Public download ──
    const publicRoute = /^\/object\/public\/([^/]+)\/(.+)$/.exec(path);
    if (publicRoute && (method === "GET" || method === "HEAD")) {
      const b = buckets.get(decodeURIComponent(publicRoute[1] as string));
      if (!b?.public) throw ERR.noSuchBucket();
      const o = b.objects.get(decodeURIComponent(publicRoute[2] as string));
      if (!o) throw ERR.noSuchKey();
      return download(o);
    }

    // ── Objects ──
    const objectRoute = /^\/object\/(?:authenticated\/)?([^/]+)\/(.+)$/.exec(path);
    if (objectRoute) {
      const bucketId = decodeURIComponent(objectRoute[1] as string);
      const name = decodeURIComponent(objectRoute[2] as string);
      if (method === "GET" || method === "HEAD") {
        const o = service ? buckets.get(bucketId)?.objects.get(name) : undefined;
        if (!o) throw ERR.noSuchKey();
        o.lastAccessedAt = new Date().toISOString();
        return download(o);
      }
      if (method === "POST" || method === "PUT") {
        if (!service) throw ERR.rls();
        checkKey(name);
        const b = bucketOf(bucketId);
        const obj = await upload(b, name, method === "PUT" || headers["x-upsert"] === "true", headers, raw);
        return { status: 200, body: { Id: obj.id, Key: `${bucketId}/${name}` } };
      }
      if (method === "DELETE") {
        const b = buckets.get(bucketId);
        if (!service || !b?.objects.has(name)) throw ERR.noSuchKey();
        b.objects.delete(name);
        return { status: 200, body: { message: "Successfully deleted" } };
      }
    }
    const removeRoute = /^\/object\/([^/]+)$/.exec(path);
    if (removeRoute && method === "DELETE") {
      const body = json();
      const prefixes = body.prefixes;
      if (!Array.isArray(prefixes) || prefixes.length < 1 || prefixes.length > 1000) {
        throw ERR.validation("body/prefixes must be an array of 1 to 1000 items");
      }
      const b = buckets.get(decodeURIComponent(removeRoute[1] as string));
      const removed: unknown[] = [];
      if (b && service) {
        for (const p of prefixes) {
          const o = typeof p === "string" ? b.objects.get(p) : undefined;
          if (!o) continue;
          b.objects.delete(o.name);
          removed.push(objectRow(b, o));
        }
      }
      return { status: 200, body: removed };
    }

    throw ERR.notFound();
  }

  function download(o: FakeStoredObject): Reply {
    return {
      status: 200,
      raw: {
        bytes: o.bytes,
        headers: {
          "content-type": o.contentType,
          "content-length": String(o.bytes.byteLength),
          "cache-control": o.cacheControl,
          etag: o.etag,
          "last-modified": new Date(o.updatedAt).toUTCString(),
        },
      },
    };
  }

  async function proxy(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(k)) continue;
      headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    }
    const method = req.method ?? "GET";
    const upstream = await fetch(`${options.upstream}${req.url ?? "/"}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" || raw.length === 0 ? undefined : new Uint8Array(raw),
      redirect: "manual",
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const apikey = (req.headers.apikey as string | undefined) ?? url.searchParams.get("apikey");
    const authorization = req.headers.authorization ?? null;

    const sendJson = (status: number, payload: unknown) => {
      res.writeHead(status, { ...CORS_HEADERS, "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(payload));
    };

    if (url.pathname.startsWith("/__fake/") && method === "GET") {
      if (url.pathname === "/__fake/buckets") return sendJson(200, { buckets: [...buckets.values()].map(bucketJson) });
      if (url.pathname === "/__fake/objects") {
        const only = url.searchParams.get("bucket");
        const objects = [...buckets.values()]
          .filter((b) => !only || b.id === only)
          .flatMap((b) =>
            [...b.objects.values()].map((o) => ({
              bucket: b.id,
              name: o.name,
              size: o.bytes.byteLength,
              content_type: o.contentType,
              created_at: o.createdAt,
              updated_at: o.updatedAt,
            })),
          )
          .sort((x, y) => `${x.bucket}/${x.name}`.localeCompare(`${y.bucket}/${y.name}`));
        return sendJson(200, { objects });
      }
      return sendJson(404, { message: "no Route matched with those values" });
    }

    if (!url.pathname.startsWith("/storage/v1/")) {
      if (options.upstream) {
        try {
          await proxy(req, res, raw);
        } catch (err) {
          sendJson(502, { message: `upstream failed: ${String(err)}` });
        }
        return;
      }
      return sendJson(404, { message: "no Route matched with those values" });
    }
    const path = url.pathname.slice("/storage/v1".length);
    requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      apikey: apikey ?? null,
      authorization,
      contentType: req.headers["content-type"] ?? null,
      bodyBytes: raw.length,
    });

    if (method === "OPTIONS") {
      res.writeHead(200, {
        ...CORS_HEADERS,
        "access-control-allow-methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
        "access-control-max-age": "86400",
      });
      res.end();
      return;
    }

    // The API gateway: signed and public object URLs are open, everything else needs a project key.
    const open =
      (method === "PUT" && path.startsWith("/object/upload/sign/")) ||
      ((method === "GET" || method === "HEAD") &&
        (path.startsWith("/object/public/") || path.startsWith("/object/sign/")));
    if (!open) {
      if (!apikey) {
        return sendJson(401, {
          message: "No API key found in request",
          hint: "No `apikey` request header or url param was found.",
        });
      }
      if (apikey !== publishableKey && apikey !== secretKey) {
        return sendJson(401, {
          message: "Invalid API key",
          hint: "Double check your Supabase `anon` or `service_role` API key.",
        });
      }
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? null;
    const service = apikey === secretKey && (bearer === null || bearer === secretKey);

    try {
      const out = await handle(method, path, url.searchParams, service, req.headers, raw);
      if (out.raw) {
        res.writeHead(out.status, { ...CORS_HEADERS, ...out.raw.headers });
        res.end(method === "HEAD" ? undefined : Buffer.from(out.raw.bytes));
        return;
      }
      sendJson(out.status, out.body);
    } catch (err) {
      if (!(err instanceof StorageFakeError)) {
        return sendJson(500, { statusCode: "500", code: "InternalError", error: "internal", message: String(err) });
      }
      // Storage's error handler: the user-facing status is 400 unless the error is a 500.
      sendJson(err.httpStatusCode === 500 ? 500 : 400, {
        statusCode: String(err.httpStatusCode),
        code: err.code,
        error: err.error ?? err.code,
        message: err.message,
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    buckets,
    requests,
    objectPaths: () =>
      [...buckets.values()].flatMap((b) => [...b.objects.keys()].map((name) => `${b.id}/${name}`)).sort(),
    setSignedUploadExpiresIn: (seconds) => {
      signedUploadExpiresIn = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
