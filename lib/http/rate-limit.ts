import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";
import { AppError } from "./errors";

/**
 * Fixed-window counters kept in Postgres, so a limit holds across processes and
 * instances. One statement per hit.
 */
export async function hitRateLimit(
  key: string,
  limit: number,
  windowSeconds: number,
  what = "attempts",
): Promise<void> {
  const [row] = await asService("rate limit counter", (tx) =>
    rows<{ count: number; retry_after: number }>(
      tx,
      sql`insert into rate_limits as r (key, window_start, count) values (${key}, now(), 1)
          on conflict (key) do update set
            window_start = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_start end,
            count = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.count + 1 end
          returning count,
            ceil(extract(epoch from (window_start + make_interval(secs => ${windowSeconds}) - now())))::int as retry_after`,
    ),
  );
  if (row && row.count > limit) {
    const retryAfter = Math.max(1, row.retry_after);
    throw new AppError(
      "rate_limited",
      `Too many ${what}. Try again in ${retryAfter} seconds.`,
      { retry_after_seconds: retryAfter },
      { headers: { "retry-after": String(retryAfter) } },
    );
  }
}
