import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Playground } from "@/components/playground/playground";
import { requireIdentity } from "@/lib/auth/current-identity";
import { listDocuments } from "@/lib/documents/read-documents";
import { currentProfile } from "@/lib/tenants/current-profile";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("playground");
  return { title: t("title") };
}

export default async function PlaygroundPage() {
  const identity = await requireIdentity("/dashboard/playground");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("playground");
  const [profile, docs] = await Promise.all([currentProfile(identity), listDocuments(identity, { limit: 200 })]);
  const ready = docs.items.filter((d) => d.status === "processed").length;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>
      <Playground
        company={profile.name}
        documents={{ total: docs.items.length, ready, more: docs.next_cursor !== null }}
      />
    </div>
  );
}
