import "server-only";
import { and, desc, eq, lt, or } from "drizzle-orm";
import { type Identity, tenantClaims } from "@/lib/auth/identity";
import { withTenant } from "@/lib/db/client";
import { documents } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { decodeCursor, page } from "@/lib/http/pagination";

type DocumentRow = typeof documents.$inferSelect;

/** A document as API.md shows it. */
export function documentView(d: DocumentRow) {
  return {
    id: d.id,
    filename: d.filename,
    status: d.status,
    size_bytes: d.sizeBytes,
    page_count: d.pageCount,
    chunk_count: d.chunkCount,
    progress: { pages_done: d.pagesDone, pages_total: d.pagesTotal ?? d.pageCount ?? 0 },
    error: d.error,
    warnings: d.warnings,
    upload_date: new Date(d.uploadDate).toISOString(),
  };
}
export type DocumentView = ReturnType<typeof documentView>;

export function listDocuments(identity: Identity, input: { limit: number; cursor?: string }) {
  const after = decodeCursor(input.cursor);
  return withTenant(tenantClaims(identity), async (tx) => {
    const found = await tx
      .select()
      .from(documents)
      .where(
        after
          ? or(lt(documents.uploadDate, after.at), and(eq(documents.uploadDate, after.at), lt(documents.id, after.id)))
          : undefined,
      )
      .orderBy(desc(documents.uploadDate), desc(documents.id))
      .limit(input.limit + 1);
    const paged = page(found, input.limit, (d) => [d.uploadDate, d.id]);
    return { items: paged.items.map(documentView), next_cursor: paged.next_cursor };
  });
}

/** One of the caller's documents; another tenant's id is simply not found (RLS). */
export function getDocument(identity: Identity, id: string) {
  return withTenant(tenantClaims(identity), async (tx) => {
    const [found] = await tx.select().from(documents).where(eq(documents.id, id));
    if (!found) throw notFound("Document");
    return documentView(found);
  });
}
