import type { Metadata } from "next";
import { DocumentsManager } from "@/components/documents/documents-manager";
import { requireIdentity } from "@/lib/auth/current-identity";
import { listDocuments } from "@/lib/documents/read-documents";

export const metadata: Metadata = { title: "Documents" };

export default async function DocumentsPage() {
  const identity = await requireIdentity("/dashboard/documents");
  if (!identity.customerId) return null;
  const first = await listDocuments(identity, { limit: 50 });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Documents</h1>
        <p className="mt-1 text-sm text-slate-700">
          Your assistant answers WhatsApp questions only from the PDFs you upload here, and cites the page it used.
        </p>
      </div>
      <DocumentsManager initial={first.items} nextCursor={first.next_cursor} />
    </div>
  );
}
