import { getUsage } from "@/lib/billing/usage";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

/** This billing period's requests and storage against the plan's limits (API.md, Billing). */
export const GET = apiRoute({ access: "tenant" }, async ({ identity }) => json(await getUsage(identity)));

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
