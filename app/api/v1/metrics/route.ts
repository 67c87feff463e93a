import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute } from "@/lib/http/route";
import { updateQueueMetrics } from "@/lib/jobs/queue-metrics";
import { assertMetricsAccess, metrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

/** Prometheus scrape of this instance (bearer METRICS_TOKEN when set); queue gauges read the database. */
export const GET = apiRoute({ access: "public", resolveIdentity: false }, async ({ req }) => {
  assertMetricsAccess(req.headers.get("authorization"));
  await updateQueueMetrics();
  const { registry } = metrics();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
