import { listInvoices } from "@/lib/billing/invoices";
import { pageQuerySchema } from "@/lib/http/pagination";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** The tenant's closed billing periods, newest first (API.md, Billing). */
export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listInvoices(identity, parseQuery(req, pageQuerySchema))),
);
