import "server-only";
import { config } from "@/lib/config";
import { type DatabaseRole, databaseRole } from "@/lib/db/client";
import { checkDatabase } from "@/lib/db/health";
import { jobQueueStats } from "@/lib/jobs/queue-stats";
import { log } from "@/lib/log";
import { fileStorage } from "@/lib/storage";

const TIMEOUT_MS = 3000;

export interface Health {
  status: "ok" | "down";
  /** What is down, by name: "database", "storage". Empty when status is "ok". */
  down: ("database" | "storage")[];
  database: "ok" | "down";
  database_kind: string;
  database_ms: number;
  storage: "ok" | "down";
  storage_kind: "local" | "supabase";
  storage_ms: number;
  /** Seconds the oldest due job has waited past its run time; null when none is due (or unknown). */
  oldest_pending_job_age_seconds: number | null;
  /**
   * Who the app is in the database: a superuser ignores row-level security (warned at
   * start); "dedicated" means tenant work runs on its own contained login role. Null when
   * the database is down.
   */
  database_role: DatabaseRole | null;
  auth_mode: string;
  ai: "gemini" | "extractive";
  errors?: Partial<Record<"database" | "storage", string>>;
}

/**
 * What a load balancer or an uptime check asks: can this instance reach its database and
 * its file storage? A queue backlog is reported (the oldest pending job's age) but is
 * not "down": taking instances out of rotation would not drain it.
 */
export async function checkHealth(): Promise<Health> {
  const [db, storage] = await Promise.all([checkDatabase(), checkStorage()]);
  const role = db.ok ? await databaseRole().catch(() => null) : null;
  const oldest = db.ok
    ? await withTimeout(jobQueueStats(), "the queue query").then(
        (s) => s.oldestDueAgeSeconds,
        () => null,
      )
    : null;
  const down = [...(db.ok ? [] : (["database"] as const)), ...(storage.ok ? [] : (["storage"] as const))];
  const errors = {
    ...(db.ok ? {} : { database: db.error }),
    ...(storage.ok ? {} : { storage: storage.error }),
  };
  if (down.length > 0) log.warn({ down, errors }, "health check failed");
  return {
    status: down.length > 0 ? "down" : "ok",
    down,
    database: db.ok ? "ok" : "down",
    database_kind: db.kind ?? config().database,
    database_ms: db.ms,
    storage: storage.ok ? "ok" : "down",
    storage_kind: fileStorage().kind,
    storage_ms: storage.ms,
    oldest_pending_job_age_seconds: oldest === null ? null : Math.round(oldest * 10) / 10,
    database_role: role,
    auth_mode: config().authMode,
    ai: config().GEMINI_API_KEY ? "gemini" : "extractive",
    ...(down.length > 0 ? { errors } : {}),
  };
}

async function checkStorage(): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  try {
    await withTimeout(fileStorage().check(), "the storage check");
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
