import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireIdentity } from "@/lib/auth/current-identity";
import { getUsage, listPlans } from "@/lib/billing/usage";
import { config } from "@/lib/config";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("billing");
  return { title: t("title") };
}

/** A labelled meter: the figure in words, the native bar for the eye (not the only cue). */
function Meter({ label, used, limit, unit }: { label: string; used: number; limit: number; unit: string }) {
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium">{label}</span>
        <span className="text-sm text-slate-700">{unit}</span>
      </div>
      <meter
        aria-label={label}
        aria-valuetext={unit}
        min={0}
        max={Math.max(limit, 1)}
        low={limit * 0.8}
        high={limit}
        optimum={0}
        value={Math.min(used, Math.max(limit, 1))}
        className="mt-2 h-3 w-full"
      />
    </div>
  );
}

export default async function BillingPage() {
  const identity = await requireIdentity("/dashboard/billing");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const t = await getTranslations("billing");
  const format = await getFormatter();
  const [usage, plans] = await Promise.all([getUsage(identity), listPlans(identity)]);
  const paymentsConfigured = Boolean(config().STRIPE_SECRET_KEY);
  const money = (cents: number) => format.number(cents / 100, { style: "currency", currency: "EUR" });
  const day = (iso: string) => format.dateTime(new Date(iso), { day: "numeric", month: "long", year: "numeric" });
  const periodEndInclusive = new Date(new Date(usage.period_end).getTime() - 1).toISOString();
  const atLimit = usage.requests_used >= usage.request_limit;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">
          {t("period", { start: day(usage.period_start), end: day(periodEndInclusive) })}
        </p>
      </div>

      {atLimit && (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          {usage.plan.overage_allowed
            ? t("overageNotice", { price: money(usage.plan.overage_price_cents) })
            : t("limitNotice")}
        </p>
      )}

      <section aria-labelledby="usage-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="usage-heading" className="text-lg font-semibold">
          {t("usageHeading", { plan: usage.plan.name })}
        </h2>
        <div className="mt-4 space-y-5">
          <Meter
            label={t("requests")}
            used={usage.requests_used}
            limit={usage.request_limit}
            unit={t("requestsOf", { used: usage.requests_used, limit: usage.request_limit })}
          />
          <Meter
            label={t("storage")}
            used={usage.storage_used_mb}
            limit={usage.storage_limit_mb}
            unit={t("storageOf", { used: format.number(usage.storage_used_mb), limit: usage.storage_limit_mb })}
          />
        </div>
        {usage.overage_requests > 0 && (
          <p className="mt-4 text-sm text-slate-800">
            {t("overage", { count: usage.overage_requests, amount: money(usage.estimated_overage_cents) })}
          </p>
        )}
        <p className="mt-4 text-xs text-slate-600">{t("requestDefinition")}</p>
      </section>

      <section aria-labelledby="plans-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="plans-heading" className="text-lg font-semibold">
          {t("plansHeading")}
        </h2>
        {!paymentsConfigured && (
          <p className="mt-1 text-sm text-slate-700" id="payments-note">
            {t("paymentsNotConfigured")}
          </p>
        )}
        <ul className="mt-4 grid gap-4 sm:grid-cols-3">
          {plans.map((p) => {
            const current = p.id === usage.plan.id;
            return (
              <li
                key={p.id}
                className={`flex flex-col rounded-lg border p-4 ${current ? "border-brand-700 ring-1 ring-brand-700" : "border-slate-200"}`}
              >
                <h3 className="font-semibold">{p.name}</h3>
                <p className="mt-1 text-xl font-semibold">
                  {p.price_cents === 0 ? t("free") : t("perMonth", { price: money(p.price_cents) })}
                </p>
                <ul className="mt-2 flex-1 space-y-1 text-sm text-slate-700">
                  <li>{t("planRequests", { count: p.monthly_request_limit })}</li>
                  <li>{t("planStorage", { mb: p.storage_limit_mb })}</li>
                  <li>
                    {p.overage_allowed ? t("planOverage", { price: money(p.overage_price_cents) }) : t("planNoOverage")}
                  </li>
                </ul>
                {current ? (
                  <p className="mt-4 text-sm font-medium text-brand-800">{t("currentPlan")}</p>
                ) : (
                  <button
                    type="button"
                    disabled={!paymentsConfigured}
                    aria-describedby={paymentsConfigured ? undefined : "payments-note"}
                    className="mt-4 rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white disabled:bg-slate-400"
                  >
                    {t("choosePlan", { plan: p.name })}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
