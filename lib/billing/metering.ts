import "server-only";
import { sql } from "drizzle-orm";
import { rows, type Tx } from "@/lib/db/client";

/**
 * Metering (docs/billing.md): each answer the product produces is one request of the
 * billing period, claimed before the answer is generated and keyed on the inbound
 * messages it answers, so a retried job or a retried API call counts nothing twice.
 * Claims of one tenant queue on its counter row (private.claim_request), so concurrent
 * answers never take a plan without overage past its limit. Run inside `withTenant`: the
 * database functions act for the tenant of the transaction's claims.
 */
export type RequestClaim =
  | { decision: "counted"; usageEventId: string; overage: boolean; requestsUsed: number; requestLimit: number }
  | { decision: "limited"; requestsUsed: number; requestLimit: number };

export type MeteredChannel = "whatsapp" | "api" | "playground";

export async function claimRequest(tx: Tx, messageIds: string[], channel: MeteredChannel): Promise<RequestClaim> {
  const [row] = await rows<{
    decision: "counted" | "limited";
    usage_event_id: string | null;
    overage: boolean;
    requests_used: number;
    request_limit: number;
  }>(tx, sql`select * from private.claim_request(${uuidArray(messageIds)}, ${channel})`);
  if (!row) throw new Error("claim_request returned nothing: the tenant's customer row is missing.");
  const requestsUsed = Number(row.requests_used);
  const requestLimit = Number(row.request_limit);
  return row.decision === "counted" && row.usage_event_id
    ? { decision: "counted", usageEventId: row.usage_event_id, overage: row.overage, requestsUsed, requestLimit }
    : { decision: "limited", requestsUsed, requestLimit };
}

/** Gives the request back when the answer to these messages ended failed. */
export async function releaseRequest(tx: Tx, messageIds: string[]): Promise<boolean> {
  const [row] = await rows<{ released: boolean }>(
    tx,
    sql`select private.release_request(${uuidArray(messageIds)}) as released`,
  );
  return row?.released === true;
}

// A uuid[] parameter that both drivers (PGlite and postgres.js) pass the same way.
const uuidArray = (ids: string[]) => sql`string_to_array(${ids.join(",")}, ',')::uuid[]`;
