import { getTranslations } from "next-intl/server";
import { AppHeader } from "@/components/app-header";
import { HideOnPath } from "@/components/hide-on-path";
import { UsageBanner } from "@/components/usage-banner";
import { requireIdentity } from "@/lib/auth/current-identity";
import { getUsage } from "@/lib/billing/usage";
import { currentProfile } from "@/lib/tenants/current-profile";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const identity = await requireIdentity("/dashboard");
  const t = await getTranslations("nav");
  const links = [
    { href: "/dashboard", label: t("overview") },
    { href: "/dashboard/documents", label: t("documents") },
    { href: "/dashboard/playground", label: t("playground") },
    { href: "/dashboard/conversations", label: t("conversations") },
    { href: "/dashboard/insights", label: t("insights") },
    { href: "/dashboard/billing", label: t("billing") },
    { href: "/dashboard/settings", label: t("settings") },
  ];
  if (identity.role === "global_admin" || identity.role === "support_user") {
    links.push({ href: "/admin", label: t("admin") });
  }
  if (!identity.customerId) {
    return (
      <>
        <AppHeader title={identity.email} links={links} />
        <main className="mx-auto max-w-5xl px-4 py-8">
          <p className="rounded-md bg-white p-6 text-slate-700">{t("staffNotice")}</p>
        </main>
      </>
    );
  }
  if (identity.customerStatus !== "active") {
    // The API refuses such a workspace (lib/http/route.ts); its pages must not show its data
    // either, so neither the page nor the workspace's profile is read: only the notice and the
    // header, to log out (and the admin console's link, for staff).
    const s = await getTranslations("workspaceStatus");
    const suspended = identity.customerStatus === "suspended";
    return (
      <>
        <AppHeader title={identity.email} links={links.filter((l) => l.href === "/admin")} />
        <main className="mx-auto max-w-5xl px-4 py-8">
          <section
            role="status"
            aria-labelledby="workspace-status-heading"
            className="rounded-lg border border-amber-300 bg-amber-50 p-6 text-amber-950"
          >
            <h1 id="workspace-status-heading" className="text-xl font-semibold">
              {suspended ? s("suspendedTitle") : s("deletionTitle")}
            </h1>
            <p className="mt-2 text-sm">{suspended ? s("suspendedText") : s("deletionText")}</p>
          </section>
        </main>
      </>
    );
  }
  const [profile, usage] = await Promise.all([currentProfile(identity), getUsage(identity)]);
  return (
    <>
      <AppHeader
        title={profile.name}
        subtitle={t("subtitle", { plan: profile.plan.name, email: identity.email })}
        links={links}
      />
      <main className="mx-auto max-w-5xl px-4 py-8">
        {/* The billing page shows the same notices in full. */}
        <HideOnPath path="/dashboard/billing">
          <UsageBanner usage={usage} />
        </HideOnPath>
        {children}
      </main>
    </>
  );
}
