import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { InvoicesTable } from "@/components/billing/invoices-table";
import { StripeRedirectButton } from "@/components/billing/stripe-redirect-button";
import { requireIdentity } from "@/lib/auth/current-identity";
import { listInvoices } from "@/lib/billing/invoices";
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

/** What Stripe's pages send the browser back with (lib/billing/stripe/checkout.ts). */
const RETURN_NOTICES = {
  "checkout=success": "returnPaid",
  "checkout=canceled": "returnCanceled",
  "plan=changed": "returnPlanChanged",
} as const;

export default async function BillingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const identity = await requireIdentity("/dashboard/billing");
  // The layout shows a notice instead for a suspended or deleted workspace; nothing is read.
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const [t, tp, ti, format] = await Promise.all([
    getTranslations("billing"),
    getTranslations("payments"),
    getTranslations("invoices"),
    getFormatter(),
  ]);
  const params = await searchParams;
  const returned = Object.entries(RETURN_NOTICES).find(([pair]) => {
    const [key, value] = pair.split("=") as [string, string];
    return params[key] === value;
  })?.[1];
  const [usage, plans, invoices] = await Promise.all([
    getUsage(identity),
    listPlans(identity),
    listInvoices(identity, { limit: 12 }),
  ]);
  const { STRIPE_SECRET_KEY, PAYMENT_GRACE_SECONDS } = config();
  const paymentsConfigured = Boolean(STRIPE_SECRET_KEY);
  // A failed payment keeps the plan for the grace period, then the workspace moves to the default plan.
  const graceEnds =
    usage.billing_status === "past_due" && usage.payment_failed_at
      ? new Date(new Date(usage.payment_failed_at).getTime() + PAYMENT_GRACE_SECONDS * 1000).toISOString()
      : null;
  const money = (cents: number) => format.number(cents / 100, { style: "currency", currency: "EUR" });
  const day = (iso: string) =>
    format.dateTime(new Date(iso), { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
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

      {returned && (
        <p role="status" className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-800">
          {tp(returned)}
        </p>
      )}

      {usage.billing_status === "past_due" && (
        <section
          aria-labelledby="past-due-heading"
          className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900"
        >
          <h2 id="past-due-heading" className="font-semibold">
            {tp("pastDueTitle")}
          </h2>
          <p className="mt-1">
            {graceEnds
              ? tp("pastDueUntil", {
                  date: format.dateTime(new Date(graceEnds), {
                    day: "numeric",
                    month: "long",
                    year: "numeric",
                    hour: "2-digit",
                    minute: "2-digit",
                    timeZone: "UTC",
                  }),
                })
              : tp("pastDue")}
          </p>
          {paymentsConfigured && (
            <StripeRedirectButton
              endpoint="/api/v1/billing/portal"
              label={tp("updatePaymentMethod")}
              className="mt-3"
            />
          )}
        </section>
      )}

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
        {paymentsConfigured && usage.billing_status !== "none" ? (
          <div className="mt-2 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
            <p className="text-sm text-slate-700">{tp("manageHint")}</p>
            <StripeRedirectButton
              endpoint="/api/v1/billing/portal"
              label={tp("manage")}
              variant="secondary"
              className="shrink-0"
            />
          </div>
        ) : paymentsConfigured ? null : (
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
                ) : paymentsConfigured ? (
                  <StripeRedirectButton
                    endpoint="/api/v1/billing/checkout"
                    body={{ plan_id: p.id }}
                    label={t("choosePlan", { plan: p.name })}
                    className="mt-4"
                  />
                ) : (
                  <button
                    type="button"
                    disabled
                    aria-describedby="payments-note"
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

      <section aria-labelledby="invoices-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="invoices-heading" className="text-lg font-semibold">
          {ti("heading")}
        </h2>
        <p className="mt-1 text-sm text-slate-700">{ti("intro")}</p>
        <InvoicesTable initial={invoices} firstCloseAt={usage.period_end} />
      </section>
    </div>
  );
}
