import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import { roleLabel } from "@/components/admin/format";
import { AppHeader } from "@/components/app-header";
import { requireStaffPage } from "@/lib/admin/staff-page";

/**
 * The admin console's frame. The staff check runs here, before anything streams, so
 * other roles get a real 404 for every /admin page.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const { identity } = await requireStaffPage("/admin");
  const t = await getTranslations("admin");
  const links = [
    { href: "/admin", label: t("nav.tenants") },
    { href: "/admin/plans", label: t("nav.plans") },
    { href: "/admin/audit", label: t("nav.audit") },
    { href: "/admin/health", label: t("nav.health") },
  ];
  if (identity.customerId) links.push({ href: "/dashboard", label: t("nav.dashboard") });
  // The root layout leaves the console's messages out; its client components need them.
  return (
    <NextIntlClientProvider messages={await getMessages()}>
      <AppHeader
        title={t("consoleTitle")}
        subtitle={`${identity.email} · ${roleLabel(t, identity.role)}`}
        links={links}
      />
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </NextIntlClientProvider>
  );
}
