import "server-only";
import { sql } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { SIMULATOR_SUBSCRIBER_ID } from "@/lib/manychat/simulator";

/** What the dashboard's setup checklist needs to know from the tenant's data. */
export interface OnboardingFacts {
  documents: { total: number; processed: number; in_progress: number; failed: number };
  /** When ManyChat first reached the webhook (a WhatsApp message not from the simulator). */
  first_delivery_at: string | null;
  /** When a WhatsApp message, real or simulated, was first answered from the documents. */
  first_answer_at: string | null;
}

interface Row {
  total: number | string;
  processed: number | string;
  in_progress: number | string;
  failed: number | string;
  first_delivery_at: string | Date | null;
  first_answer_at: string | Date | null;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

export async function onboardingFacts(identity: Identity): Promise<OnboardingFacts> {
  const [row] = await withTenant(tenantClaims(identity), (tx) =>
    rows<Row>(
      tx,
      sql`select
            (select count(*) from documents) as total,
            (select count(*) from documents where status = 'processed') as processed,
            (select count(*) from documents where status in ('pending', 'processing')) as in_progress,
            (select count(*) from documents where status = 'failed') as failed,
            (select created_at from messages
              where direction = 'inbound' and channel = 'whatsapp' and subscriber_id <> ${SIMULATOR_SUBSCRIBER_ID}
              order by created_at limit 1) as first_delivery_at,
            (select created_at from messages
              where direction = 'inbound' and channel = 'whatsapp' and status = 'answered'
              order by created_at limit 1) as first_answer_at`,
    ),
  );
  if (!row) throw new Error("onboarding facts: no row");
  return {
    documents: {
      total: Number(row.total),
      processed: Number(row.processed),
      in_progress: Number(row.in_progress),
      failed: Number(row.failed),
    },
    first_delivery_at: iso(row.first_delivery_at),
    first_answer_at: iso(row.first_answer_at),
  };
}

export type SetupStep = "documents" | "manychat" | "flow" | "test";

/**
 * The checklist's steps and whether each is done: a processed PDF; a ManyChat key
 * stored; ManyChat reached the webhook; a WhatsApp message (real or simulated) answered.
 */
export function setupSteps(facts: OnboardingFacts, manychatConfigured: boolean): Record<SetupStep, boolean> {
  return {
    documents: facts.documents.processed > 0,
    manychat: manychatConfigured,
    flow: facts.first_delivery_at !== null,
    test: facts.first_answer_at !== null,
  };
}

export const setupComplete = (steps: Record<SetupStep, boolean>) => Object.values(steps).every(Boolean);
