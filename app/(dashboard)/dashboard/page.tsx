import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { duration, percent } from "@/components/insights/format";
import { SetupChecklist } from "@/components/onboarding/setup-checklist";
import { requireIdentity } from "@/lib/auth/current-identity";
import { answerLatency } from "@/lib/insights/answer-latency";
import { dailyVolume } from "@/lib/insights/daily-volume";
import { INSIGHT_DAYS } from "@/lib/insights/days";
import { checklistHidden, HIDE_CHECKLIST_COOKIE } from "@/lib/onboarding/checklist-visibility";
import { onboardingFacts, setupComplete, setupSteps } from "@/lib/onboarding/onboarding-status";
import { currentProfile } from "@/lib/tenants/current-profile";
import { hideChecklist, showChecklist } from "./checklist-actions";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("home");
  return { title: t("title") };
}

export default async function DashboardPage() {
  const identity = await requireIdentity("/dashboard");
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const [profile, facts, jar] = await Promise.all([currentProfile(identity), onboardingFacts(identity), cookies()]);
  const complete = setupComplete(setupSteps(facts, profile.manychat.configured));
  // Shown until every step is done; after that, until hidden.
  const hidden = complete && checklistHidden(jar.get(HIDE_CHECKLIST_COOKIE)?.value, identity.customerId);
  const overview = complete ? await Promise.all([dailyVolume(identity), answerLatency(identity)]) : null;
  const [t, ti, format] = await Promise.all([getTranslations("home"), getTranslations("insights"), getFormatter()]);
  const price = (cents: number) =>
    cents === 0
      ? t("free")
      : t("perMonth", { price: format.number(cents / 100, { style: "currency", currency: "EUR" }) });
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{t("welcome", { name: profile.name })}</h1>

      {!hidden && <SetupChecklist profile={profile} facts={facts} hideAction={hideChecklist} />}

      {overview && (
        <section aria-labelledby="overview-heading" className="rounded-lg border border-slate-200 bg-white p-5">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <h2 id="overview-heading" className="text-lg font-semibold">
              {t("lastDays", { days: INSIGHT_DAYS })}
            </h2>
            {hidden && (
              <form action={showChecklist}>
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100"
                >
                  {t("showChecklist")}
                </button>
              </form>
            )}
          </div>
          <dl className="mt-3 grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-slate-600">{ti("received")}</dt>
              <dd className="text-lg font-semibold tabular-nums">{format.number(overview[0].totals.received)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">{ti("answered")}</dt>
              <dd className="text-lg font-semibold tabular-nums">
                {percent(format, overview[0].totals.answered, overview[0].totals.received)}
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">{ti("notCovered")}</dt>
              <dd className="text-lg font-semibold tabular-nums">{format.number(overview[0].totals.unanswered)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">{ti("medianTime")}</dt>
              <dd className="text-lg font-semibold tabular-nums">
                {overview[1].overall.p50_ms === null ? "–" : duration(format, overview[1].overall.p50_ms)}
              </dd>
            </div>
          </dl>
          <p className="mt-4 text-sm">
            <Link href="/dashboard/insights" className="font-medium text-brand-800 underline underline-offset-2">
              {t("seeInsights")}
            </Link>
          </p>
        </section>
      )}

      <section aria-labelledby="plan-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="plan-heading" className="text-lg font-semibold">
          {t("planHeading")}
        </h2>
        <dl className="mt-3 grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-600">{t("plan")}</dt>
            <dd className="font-medium" data-testid="plan-name">
              {profile.plan.name}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("answersPerMonth")}</dt>
            <dd className="font-medium">{format.number(profile.plan.monthly_request_limit)}</dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("price")}</dt>
            <dd className="font-medium">{price(profile.plan.price_cents)}</dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
