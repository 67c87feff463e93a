import { z } from "zod";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { pageQuerySchema } from "@/lib/http/pagination";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { listTenantsForStaff } from "@/lib/tenants/list-tenants-for-staff";

const querySchema = pageQuerySchema.extend({ query: z.string().max(200).optional() });

export const GET = apiRoute(
  { access: "user", roles: ["global_admin", "support_user"] },
  async ({ req, identity, meta }) => json(await listTenantsForStaff(identity, parseQuery(req, querySchema), meta)),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
