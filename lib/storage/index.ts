import "server-only";
import path from "node:path";
import { type AppConfig, config } from "@/lib/config";
import type { FileStorage } from "./file-storage";
import { LocalFileStorage } from "./local-storage";
import { SupabaseFileStorage } from "./supabase-storage";

export type { FileStorage, SignedUpload } from "./file-storage";
export {
  InvalidStoragePathError,
  LOCAL_UPLOAD_ROUTE,
  MAX_OBJECT_BYTES,
  OBJECT_CONTENT_TYPE,
  UPLOAD_URL_TTL_SECONDS,
  type UploadGrant,
  verifyUploadToken,
} from "./local-storage";

/**
 * The storage this configuration calls for: Supabase Storage when the project URL and
 * the secret key are set (the secret key is what may write to a private bucket),
 * otherwise the local folder under DATA_DIR.
 */
export function createFileStorage(cfg: AppConfig = config()): FileStorage {
  if (cfg.NEXT_PUBLIC_SUPABASE_URL && cfg.SUPABASE_SECRET_KEY) {
    return new SupabaseFileStorage({
      url: cfg.NEXT_PUBLIC_SUPABASE_URL,
      secretKey: cfg.SUPABASE_SECRET_KEY,
      bucket: cfg.SUPABASE_STORAGE_BUCKET,
    });
  }
  return new LocalFileStorage(path.join(cfg.dataDir, "files"));
}

let instance: FileStorage | undefined;

/** This process's file storage (chosen from the configuration on first use). */
export function fileStorage(): FileStorage {
  instance ??= createFileStorage();
  return instance;
}
