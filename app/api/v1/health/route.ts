import { config } from "@/lib/config";
import { checkDatabase } from "@/lib/db/health";
import { apiRoute, json } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "public" }, async () => {
  const db = await checkDatabase();
  const body = {
    status: db.ok ? "ok" : "degraded",
    database: db.ok ? "ok" : "down",
    database_kind: db.kind ?? config().database,
    database_ms: db.ms,
    auth_mode: config().authMode,
    ai: config().GEMINI_API_KEY ? "gemini" : "extractive",
    ...(db.ok ? {} : { errors: { database: db.error } }),
  };
  return json(body, db.ok ? 200 : 503);
});
