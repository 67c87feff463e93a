/**
 * Where tenants' original files live. Two implementations: a local folder under
 * DATA_DIR (embedded default) and a private Supabase Storage bucket (production).
 * Nothing outside lib/storage knows which one is in use; get one with fileStorage().
 *
 * Paths are always "<customer_id>/<document_id>.pdf": namespaced by tenant.
 */
export interface SignedUpload {
  /** Absolute URL the client sends the bytes to. */
  url: string;
  method: "PUT" | "POST";
  /** Headers the client must send with the bytes. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface FileStorage {
  readonly kind: "local" | "supabase";
  put(path: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or null when there is no such object. */
  get(path: string): Promise<Uint8Array | null>;
  /** Removes the object; removing a missing object is not an error. */
  delete(path: string): Promise<void>;
  /** Removes every object under "<prefix>/" (a tenant's folder). */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws when the storage cannot be used (folder not writable, bucket unreachable): for /health. */
  check(): Promise<void>;
  /**
   * A URL the browser can upload one object to directly, valid for a while. It creates the
   * object once and never replaces it; `sizeBytes` is the size declared for it (the local
   * mode refuses any other size; Supabase Storage cannot bound one URL, so the caller
   * measures the stored object afterwards).
   */
  signedUploadUrl(path: string, opts: { origin: string; sizeBytes: number }): Promise<SignedUpload>;
}
