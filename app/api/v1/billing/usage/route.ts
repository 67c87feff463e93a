import { getUsage } from "@/lib/billing/usage";
import { apiRoute, json } from "@/lib/http/route";

/** This billing period's requests and storage against the plan's limits (API.md, Billing). */
export const GET = apiRoute({ access: "tenant" }, async ({ identity }) => json(await getUsage(identity)));
