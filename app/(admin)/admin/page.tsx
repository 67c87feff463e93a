import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { requireIdentity } from "@/lib/auth/current-identity";
import { listTenantsForStaff } from "@/lib/tenants/list-tenants-for-staff";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const identity = await requireIdentity("/admin");
  // Other roles get the same answer as for a page that does not exist.
  if (identity.role !== "global_admin") notFound();
  const h = await headers();
  const tenants = await listTenantsForStaff(
    identity,
    { limit: 50 },
    {
      ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null,
      userAgent: h.get("user-agent"),
      requestId: h.get("x-request-id") ?? crypto.randomUUID(),
    },
  );
  return (
    <>
      <AppHeader
        title="Admin console"
        subtitle={identity.email}
        links={[
          { href: "/dashboard", label: "Dashboard" },
          { href: "/admin", label: "Tenants" },
        ]}
      />
      <main className="mx-auto max-w-5xl px-4 py-8">
        <h1 id="tenants-heading" className="text-2xl font-semibold">
          Tenants
        </h1>
        {tenants.items.length === 0 ? (
          <p className="mt-6 rounded-md bg-white p-6 text-slate-700">No tenants yet.</p>
        ) : (
          <section
            aria-labelledby="tenants-heading"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1, axe scrollable-region-focusable).
            tabIndex={0}
            className="mt-6 overflow-x-auto rounded-lg border border-slate-200 bg-white"
          >
            <table className="w-full text-left text-sm">
              <thead className="whitespace-nowrap bg-slate-100 text-slate-700">
                <tr>
                  <th scope="col" className="px-4 py-2">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Owner
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Plan
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Requests (month)
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Documents
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Status
                  </th>
                </tr>
              </thead>
              <tbody>
                {tenants.items.map((t) => (
                  <tr key={t.id} className="border-t border-slate-200">
                    <td className="px-4 py-2 font-medium">{t.name}</td>
                    <td className="px-4 py-2">{t.owner_email}</td>
                    <td className="px-4 py-2">{t.plan.name}</td>
                    <td className="px-4 py-2">{t.usage.requests_this_month}</td>
                    <td className="px-4 py-2">{t.document_count}</td>
                    <td className="px-4 py-2">{t.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </main>
    </>
  );
}
