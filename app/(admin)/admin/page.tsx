import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { adminFormat, tenantStatus } from "@/components/admin/format";
import { Notice, StatusBadge, TableRegion, TD, TH, THEAD } from "@/components/admin/table-region";
import { requireStaffPage } from "@/lib/admin/staff-page";
import { AppError } from "@/lib/http/errors";
import { listTenantsForStaff } from "@/lib/tenants/list-tenants-for-staff";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminTenants");
  return { title: t("metaTitle") };
}

const PAGE_SIZE = 50;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function AdminTenantsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { identity, meta } = await requireStaffPage("/admin");
  const [t, ta, format] = await Promise.all([
    getTranslations("adminTenants"),
    getTranslations("admin"),
    getFormatter(),
  ]);
  const f = adminFormat(format, ta);
  const params = await searchParams;
  const query = (one(params.query) ?? "").trim().slice(0, 200);
  const cursor = one(params.cursor) || undefined;

  let tenants: Awaited<ReturnType<typeof listTenantsForStaff>>;
  let badCursor = false;
  try {
    tenants = await listTenantsForStaff(identity, { query: query || undefined, limit: PAGE_SIZE, cursor }, meta);
  } catch (err) {
    // A mangled ?cursor= (an old bookmark): the first page rather than an error.
    if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
    badCursor = true;
    tenants = await listTenantsForStaff(identity, { query: query || undefined, limit: PAGE_SIZE }, meta);
  }
  const paged = Boolean(cursor) && !badCursor;
  const caption = query ? t("captionMatching", { query }) : t("captionAll");
  const href = (extra: Record<string, string>) => {
    const search = new URLSearchParams({ ...(query ? { query } : {}), ...extra }).toString();
    return search ? `/admin?${search}` : "/admin";
  };

  return (
    <div className="space-y-6">
      <div>
        <h1 id="tenants-heading" className="text-2xl font-semibold">
          {t("title")}
        </h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>

      <search>
        <form method="get" action="/admin" className="flex flex-wrap items-end gap-2">
          <div className="min-w-0 flex-1 basis-56">
            <label htmlFor="tenant-search" className="block text-sm font-medium text-slate-800">
              {t("searchLabel")}
            </label>
            <input
              id="tenant-search"
              type="search"
              name="query"
              defaultValue={query}
              maxLength={200}
              aria-describedby="tenant-search-hint"
              className="mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900"
            />
            <p id="tenant-search-hint" className="mt-1 text-xs text-slate-600">
              {t("searchHint")}
            </p>
          </div>
          <div className="flex gap-2 pb-5">
            <button
              type="submit"
              className="inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
            >
              {t("search")}
            </button>
            {query && (
              <Link
                href="/admin"
                className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
              >
                {t("clearSearch")}
              </Link>
            )}
          </div>
        </form>
      </search>

      {badCursor && <Notice tone="warn">{t("badCursor")}</Notice>}

      {tenants.items.length === 0 ? (
        <Notice title={query ? t("noMatchTitle", { query }) : paged ? t("noMoreTitle") : t("emptyTitle")}>
          {query ? (
            <p>
              {t.rich("noMatchText", {
                link: (chunks) => (
                  <Link href="/admin" className="font-medium text-brand-800 underline">
                    {chunks}
                  </Link>
                ),
              })}
            </p>
          ) : paged ? (
            <p>
              <Link href={href({})} className="font-medium text-brand-800 underline">
                {t("backToNewestTenants")}
              </Link>
            </p>
          ) : (
            <p>{t("emptyText")}</p>
          )}
        </Notice>
      ) : (
        <>
          <TableRegion labelledBy="tenants-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{paged ? t("captionOlder", { caption }) : caption}</caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("columns.name")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.owner")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.plan")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.requests")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.documents")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.status")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {tenants.items.map((tenant) => {
                  const status = tenantStatus(ta, tenant.status);
                  return (
                    <tr key={tenant.id} className="border-t border-slate-200">
                      <td className={`${TD} font-medium`}>
                        <Link
                          prefetch={false}
                          href={`/admin/tenants/${tenant.id}`}
                          className="text-brand-800 underline hover:no-underline"
                        >
                          {tenant.name}
                        </Link>
                      </td>
                      <td className={`${TD} break-words`}>{tenant.owner_email ?? "—"}</td>
                      <td className={TD}>{tenant.plan.name}</td>
                      <td className={`${TD} tabular-nums`}>{f.number(tenant.usage.requests_this_month)}</td>
                      <td className={`${TD} tabular-nums`}>{f.number(tenant.document_count)}</td>
                      <td className={TD}>
                        <StatusBadge label={status.label} className={status.className} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
          {(paged || tenants.next_cursor) && (
            <nav aria-label={t("moreNav")} className="flex flex-wrap gap-3">
              {paged && (
                <Link href={href({})} className={PAGER}>
                  {ta("backToNewest")}
                </Link>
              )}
              {tenants.next_cursor && (
                <Link href={href({ cursor: tenants.next_cursor })} className={PAGER}>
                  {t("showOlder")}
                </Link>
              )}
            </nav>
          )}
        </>
      )}
    </div>
  );
}

const PAGER =
  "rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100";
