import "server-only";
import { sql } from "drizzle-orm";
import { asService, rows } from "@/lib/db/client";
import { DEFAULT_MESSAGE_RETENTION_DAYS } from "@/lib/tenants/settings";

/** Messages deleted per statement, so a large backlog never holds long locks. */
const BATCH = 5000;

/**
 * Message retention (GDPR storage limitation): deletes the messages older than each
 * tenant's `message_retention_days` setting (365 days by default). Run by the sweeper's
 * maintenance and by the cron endpoint. Returns how many were deleted.
 */
export async function deleteExpiredMessages(maxBatches = 20): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const deleted = await asService("maintenance: message retention", (tx) =>
      rows<{ id: string }>(
        tx,
        sql`delete from messages where id in (
              select m.id from messages m join customers c on c.id = m.customer_id
              where m.created_at < now() - make_interval(days => case
                when jsonb_typeof(c.settings -> 'message_retention_days') = 'number'
                  then greatest(1, (c.settings ->> 'message_retention_days')::numeric::int)
                else ${DEFAULT_MESSAGE_RETENTION_DAYS} end)
              limit ${BATCH})
            returning id`,
      ),
    );
    total += deleted.length;
    if (deleted.length < BATCH) break;
  }
  return total;
}
