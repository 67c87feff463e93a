import { useTranslations } from "next-intl";

/** While the figures are computed: the page's shape, and a status for screen readers. */
export default function InsightsLoading() {
  const t = useTranslations("insights");
  return (
    <div className="space-y-6" aria-busy="true">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p role="status" className="text-sm text-slate-700">
        {t("loading")}
      </p>
      {["a", "b", "c"].map((k) => (
        <div key={k} aria-hidden="true" className="h-48 animate-pulse rounded-lg border border-slate-200 bg-white" />
      ))}
    </div>
  );
}
