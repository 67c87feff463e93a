import { listInvoices } from "@/lib/billing/invoices";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { pageQuerySchema } from "@/lib/http/pagination";
import { parseQuery } from "@/lib/http/parse";
import { apiRoute, json } from "@/lib/http/route";

/** The tenant's closed billing periods, newest first (API.md, Billing). */
export const GET = apiRoute({ access: "tenant" }, async ({ req, identity }) =>
  json(await listInvoices(identity, parseQuery(req, pageQuerySchema))),
);

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
