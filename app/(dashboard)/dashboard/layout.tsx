import { AppHeader } from "@/components/app-header";
import { requireIdentity } from "@/lib/auth/current-identity";
import { currentProfile } from "@/lib/tenants/current-profile";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const identity = await requireIdentity("/dashboard");
  const links = [
    { href: "/dashboard", label: "Overview" },
    { href: "/dashboard/documents", label: "Documents" },
    { href: "/dashboard/playground", label: "Playground" },
    { href: "/dashboard/conversations", label: "Conversations" },
    { href: "/dashboard/settings", label: "Settings" },
  ];
  if (identity.role === "global_admin") links.push({ href: "/admin", label: "Admin" });
  if (!identity.customerId) {
    return (
      <>
        <AppHeader title={identity.email} links={links} />
        <main className="mx-auto max-w-5xl px-4 py-8">
          <p className="rounded-md bg-white p-6 text-slate-700">
            This staff account has no workspace of its own. Use the admin console to see tenants.
          </p>
        </main>
      </>
    );
  }
  const profile = await currentProfile(identity);
  return (
    <>
      <AppHeader title={profile.name} subtitle={`${profile.plan.name} plan · ${identity.email}`} links={links} />
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </>
  );
}
