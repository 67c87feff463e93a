import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DocumentsManager } from "@/components/documents/documents-manager";
import { requireIdentity } from "@/lib/auth/current-identity";
import { listDocuments } from "@/lib/documents/read-documents";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("documents");
  return { title: t("title") };
}

export default async function DocumentsPage() {
  const identity = await requireIdentity("/dashboard/documents");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("documents");
  const first = await listDocuments(identity, { limit: 50 });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>
      <DocumentsManager initial={first.items} nextCursor={first.next_cursor} />
    </div>
  );
}
