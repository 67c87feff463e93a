import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { adminFormat } from "@/components/admin/format";
import { PlanForm } from "@/components/admin/plan-form";
import { Notice, TableRegion, TD, TH, THEAD } from "@/components/admin/table-region";
import { listPlans } from "@/lib/admin/plans";
import { requireStaffPage } from "@/lib/admin/staff-page";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminPlans");
  return { title: t("metaTitle") };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function PlansPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { identity, meta, canEdit } = await requireStaffPage("/admin/plans");
  const [t, ta, format] = await Promise.all([getTranslations("adminPlans"), getTranslations("admin"), getFormatter()]);
  const f = adminFormat(format, ta);
  const params = await searchParams;
  const plans = (await listPlans(identity, meta)).items;
  const editing = canEdit ? (plans.find((p) => p.id === one(params.edit)) ?? null) : null;
  const saved = plans.find((p) => p.id === one(params.saved));

  return (
    <div className="space-y-6">
      <div>
        <h1 id="plans-heading" className="text-2xl font-semibold">
          {t("title")}
        </h1>
        <p className="mt-1 text-sm text-slate-700">
          {t("intro")} {canEdit ? t("introEdit") : t("introReadOnly")}
        </p>
      </div>

      <p role="status" className="text-sm font-medium text-brand-800">
        {saved && (
          <>
            <span aria-hidden="true">✓ </span>
            {t("saved", { name: saved.name })}
          </>
        )}
      </p>

      {plans.length === 0 ? (
        <Notice title={t("emptyTitle")}>
          <p>{t("emptyText")}</p>
        </Notice>
      ) : (
        <TableRegion labelledBy="plans-heading">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("caption")}</caption>
            <thead className={THEAD}>
              <tr>
                <th scope="col" className={TH}>
                  {t("columns.name")}
                </th>
                <th scope="col" className={TH}>
                  {t("columns.requests")}
                </th>
                <th scope="col" className={TH}>
                  {t("columns.storage")}
                </th>
                <th scope="col" className={TH}>
                  {t("columns.price")}
                </th>
                <th scope="col" className={TH}>
                  {t("columns.overage")}
                </th>
                <th scope="col" className={TH}>
                  {t("columns.tenants")}
                </th>
                {canEdit && (
                  <th scope="col" className={TH}>
                    <span className="sr-only">{t("columns.actions")}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {plans.map((p) => (
                <tr key={p.id} className={`border-t border-slate-200 ${p.id === editing?.id ? "bg-brand-50" : ""}`}>
                  <th scope="row" className={`${TD} font-medium`}>
                    {p.name}
                    {p.is_default && <span className="ml-2 text-xs font-normal text-slate-600">{t("default")}</span>}
                  </th>
                  <td className={`${TD} tabular-nums`}>{f.number(p.monthly_request_limit)}</td>
                  <td className={`${TD} whitespace-nowrap tabular-nums`}>
                    {t("storageValue", { mb: f.number(p.storage_limit_mb) })}
                  </td>
                  <td className={`${TD} tabular-nums`}>{p.price_cents === 0 ? t("free") : f.euros(p.price_cents)}</td>
                  <td className={`${TD} whitespace-nowrap`}>
                    {p.overage_allowed ? t("perRequest", { price: f.euros(p.overage_price_cents) }) : t("notAllowed")}
                  </td>
                  <td className={`${TD} tabular-nums`}>{f.number(p.tenant_count)}</td>
                  {canEdit && (
                    <td className={TD}>
                      <Link
                        href={`/admin/plans?edit=${p.id}#plan-form`}
                        aria-label={t("editLabel", { name: p.name })}
                        className="font-medium text-brand-800 underline hover:no-underline"
                      >
                        {t("edit")}
                      </Link>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}

      {canEdit && <PlanForm key={editing?.id ?? `new-${one(params.saved) ?? ""}`} plan={editing} />}
    </div>
  );
}
