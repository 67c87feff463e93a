import { useTranslations } from "next-intl";

/** While usage, plans and invoices are read: the page's shape, and a status for screen readers. */
export default function BillingLoading() {
  const t = useTranslations("billing");
  const ti = useTranslations("invoices");
  return (
    <div className="space-y-6" aria-busy="true">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p role="status" className="text-sm text-slate-700">
        {ti("pageLoading")}
      </p>
      {["usage", "plans", "invoices"].map((k) => (
        <div key={k} aria-hidden="true" className="h-40 animate-pulse rounded-lg border border-slate-200 bg-white" />
      ))}
    </div>
  );
}
