import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DataSection } from "@/components/settings/data-section";
import type { SettingsLimits } from "@/components/settings/general-forms";
import { SettingsManager } from "@/components/settings/settings-manager";
import { requireIdentity } from "@/lib/auth/current-identity";
import { config } from "@/lib/config";
import { currentProfile } from "@/lib/tenants/current-profile";
import { customerPatchSchema } from "@/lib/tenants/customer-profile";
import { languages, tenantSettingsPatchSchema } from "@/lib/tenants/settings";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings");
  return { title: t("title") };
}

/** The limits the forms show and enforce, read from the schemas the API validates with. */
function settingsLimits(): SettingsLimits {
  const s = tenantSettingsPatchSchema.shape;
  const c = customerPatchSchema.shape;
  const range = (n: { minValue: number | null; maxValue: number | null }) => ({
    min: n.minValue ?? 0,
    max: n.maxValue ?? 0,
  });
  return {
    name: c.name.unwrap().maxLength ?? 200,
    text: s.ack_text.unwrap().maxLength ?? 1000,
    memoryTurns: range(s.memory_turns.unwrap()),
    burstSeconds: range(s.burst_window_seconds.unwrap()),
    retentionDays: range(s.message_retention_days.unwrap()),
    flowNs: s.fallback_flow_ns.unwrap().maxLength ?? 200,
    fieldName: s.fallback_field_name.unwrap().maxLength ?? 100,
    url: c.webhook_url.unwrap().unwrap().maxLength ?? 2000,
  };
}

export default async function SettingsPage() {
  const identity = await requireIdentity("/dashboard/settings");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("settings");
  const profile = await currentProfile(identity);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>
      <SettingsManager initial={profile} languages={languages} limits={settingsLimits()} />
      <DataSection workspaceName={profile.name} graceDays={Math.round(config().DELETION_GRACE_SECONDS / 86_400)} />
    </div>
  );
}
