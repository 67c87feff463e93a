import { checkHealth } from "@/lib/health";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** For load balancers and uptime checks: 200 when the database and storage answer, else 503 naming what is down. */
export const GET = apiRoute({ access: "public", resolveIdentity: false }, async () => {
  const health = await checkHealth();
  return json(health, health.status === "ok" ? 200 : 503);
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
