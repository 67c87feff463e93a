import { timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { AppError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";
import { runMaintenance } from "@/lib/jobs/maintenance";
import { sweepOnce } from "@/lib/jobs/run-jobs";

export const maxDuration = 300;

/**
 * Vercel Cron calls this with `Authorization: Bearer $CRON_SECRET` to finish leftover
 * jobs and run the periodic maintenance (lib/jobs/maintenance.ts).
 */
export const GET = apiRoute({ access: "public" }, async ({ req }) => {
  const secret = config().CRON_SECRET;
  if (!secret) throw new AppError("not_found", "Cron endpoints are disabled: CRON_SECRET is not set.");
  const given = Buffer.from(req.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError("unauthenticated", "Wrong or missing cron secret.");
  }
  let processed = 0;
  const deadline = Date.now() + 240_000;
  for (let n = await sweepOnce({ limit: 10 }); n > 0 && Date.now() < deadline; n = await sweepOnce({ limit: 10 })) {
    processed += n;
  }
  const maintenance = await runMaintenance();
  return json({ processed, ...maintenance });
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
