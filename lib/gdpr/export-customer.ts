import "server-only";
import { sql } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { type RequestMeta, recordAudit } from "@/lib/audit/record-audit";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { rows, withTenant } from "@/lib/db/client";
import { fileStorage } from "@/lib/storage";

/**
 * GDPR export (`GET /customers/me/export`): everything the workspace holds, as one ZIP
 * archive: `data.json` (the workspace, its users, documents, their text chunks, messages,
 * jobs, billing records and audit trail) and `files/` (the original PDFs). Read under
 * row-level security as the tenant, so it can hold nothing of another tenant. Secrets
 * are left out (password hashes, the ManyChat key, the webhook secret's hash); so are
 * embedding vectors (derived data, 1,536 numbers per chunk). The export is audited.
 */
export interface CustomerExport {
  filename: string;
  bytes: Uint8Array;
  counts: Record<string, number>;
}

export async function exportCustomer(identity: Identity, meta: RequestMeta): Promise<CustomerExport> {
  const claims = tenantClaims(identity);
  const data = await withTenant(claims, async (tx) => {
    const q = <T>(query: ReturnType<typeof sql>) => rows<T>(tx, query);
    const [customer] = await q<Record<string, unknown>>(
      sql`select c.id, c.name, c.status, c.settings, c.webhook_url, c.created_at, c.updated_at,
                 c.manychat_key_last4, c.manychat_page_name, c.stripe_customer_id, c.stripe_subscription_id,
                 json_build_object('id', s.id, 'name', s.name) as plan
          from customers c left join subscriptions s on s.id = c.subscription_id`,
    );
    const tables = {
      users: await q(sql`select id, email, role, last_login_at, created_at from users order by created_at`),
      documents: await q(
        sql`select id, filename, status, size_bytes, page_count, chunk_count, sha256, error, upload_date, updated_at
            from documents order by upload_date`,
      ),
      document_chunks: await q(
        sql`select id, document_id, chunk_index, page_start, page_end, content, token_count, created_at
            from document_chunks order by document_id, chunk_index`,
      ),
      messages: await q(sql`select * from messages order by created_at`),
      jobs: await q(
        sql`select id, kind, status, attempts, max_attempts, run_at, last_error, created_at, updated_at
            from jobs order by created_at`,
      ),
      billing_records: await q(sql`select * from billing_records order by period_start`),
      audit_logs: await q(sql`select * from audit_logs order by created_at`),
    };
    await recordAudit(tx, {
      action: "customer.exported",
      actor: identity,
      customerId: claims.customer_id,
      targetType: "customer",
      targetId: claims.customer_id,
      meta,
      metadata: Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, v.length])),
    });
    const paths = await q<{ id: string; filename: string; storage_path: string | null }>(
      sql`select id, filename, storage_path from documents where storage_path is not null`,
    );
    return { customer, tables, paths };
  });

  const storage = fileStorage();
  const files: Record<string, Uint8Array> = {};
  const missing: string[] = [];
  for (const d of data.paths) {
    const bytes = d.storage_path ? await storage.get(d.storage_path) : null;
    if (bytes) files[`files/${d.id}-${safeName(d.filename)}`] = bytes;
    else missing.push(d.id);
  }
  const exportedAt = new Date().toISOString();
  const document = {
    format: "pdf-answers-export/1",
    exported_at: exportedAt,
    customer: data.customer,
    ...data.tables,
    files: Object.keys(files),
    ...(missing.length > 0 ? { files_missing_for_documents: missing } : {}),
  };
  const bytes = zipSync(
    { "data.json": strToU8(JSON.stringify(document, null, 2)), ...files },
    { level: 6, mtime: new Date(exportedAt) },
  );
  const counts = {
    ...Object.fromEntries(Object.entries(data.tables).map(([k, v]) => [k, v.length])),
    files: Object.keys(files).length,
  };
  return { filename: `pdf-answers-export-${exportedAt.slice(0, 10)}.zip`, bytes, counts };
}

/** A file name safe inside the archive: no folders, no control characters. */
function safeName(name: string): string {
  const cleaned = Array.from(name, (ch) => (ch === "/" || ch === "\\" || ch.charCodeAt(0) < 32 ? "_" : ch)).join("");
  return cleaned.slice(0, 200) || "document.pdf";
}
