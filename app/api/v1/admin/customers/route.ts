import { z } from "zod";
import { pageQuerySchema } from "@/lib/http/pagination";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";
import { listTenantsForStaff } from "@/lib/tenants/list-tenants-for-staff";

const querySchema = pageQuerySchema.extend({ query: z.string().max(200).optional() });

export const GET = apiRoute(
  { access: "user", roles: ["global_admin", "support_user"] },
  async ({ req, identity, meta }) => json(await listTenantsForStaff(identity, parseQuery(req, querySchema), meta)),
);
