import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { CitedDocumentsList } from "@/components/insights/cited-documents-list";
import { duration, percent } from "@/components/insights/format";
import { LatencyChart } from "@/components/insights/latency-chart";
import { UnansweredTable } from "@/components/insights/unanswered-table";
import { VolumeChart } from "@/components/insights/volume-chart";
import { requireIdentity } from "@/lib/auth/current-identity";
import { answerLatency } from "@/lib/insights/answer-latency";
import { citedDocuments } from "@/lib/insights/cited-documents";
import { dailyVolume } from "@/lib/insights/daily-volume";
import { INSIGHT_DAYS } from "@/lib/insights/days";
import { unansweredQuestions } from "@/lib/insights/unanswered-questions";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("insights");
  return { title: t("title") };
}

const UNANSWERED_DAYS = 90;
const LINK = "font-medium text-brand-800 underline underline-offset-2";

export default async function InsightsPage() {
  const identity = await requireIdentity("/dashboard/insights");
  if (!identity.customerId || identity.customerStatus !== "active") return null;
  const [unanswered, volume, latency, cited] = await Promise.all([
    unansweredQuestions(identity, { days: UNANSWERED_DAYS, limit: 20 }),
    dailyVolume(identity),
    answerLatency(identity),
    citedDocuments(identity, { limit: 10 }),
  ]);
  const totals = volume.totals;
  const t = await getTranslations("insights");
  const format = await getFormatter();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro", { days: INSIGHT_DAYS })}</p>
      </div>

      <section aria-labelledby="summary-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="summary-heading" className="text-lg font-semibold">
          {t("lastDays", { days: INSIGHT_DAYS })}
        </h2>
        <dl className="mt-3 grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
          <Figure label={t("received")} value={format.number(totals.received)} testId="insight-received" />
          <Figure
            label={t("answered")}
            value={t("answeredValue", {
              count: format.number(totals.answered),
              percent: percent(format, totals.answered, totals.received),
            })}
            testId="insight-answered"
          />
          <Figure label={t("notCovered")} value={format.number(totals.unanswered)} testId="insight-unanswered" />
          <Figure
            label={t("medianTime")}
            value={latency.overall.p50_ms === null ? "–" : duration(format, latency.overall.p50_ms)}
            testId="insight-latency"
          />
        </dl>
      </section>

      <Card id="unanswered" title={t("unansweredTitle")}>
        <p>{t("unansweredIntro", { days: UNANSWERED_DAYS })}</p>
        {unanswered.items.length === 0 ? (
          <Empty>{totals.received === 0 ? t("noQuestion") : t("allCovered")}</Empty>
        ) : (
          <>
            <UnansweredTable questions={unanswered.items} />
            {unanswered.total_groups > unanswered.items.length && (
              <p className="text-xs text-slate-600">
                {t("mostAsked", { shown: unanswered.items.length, total: unanswered.total_groups })}
              </p>
            )}
            <p>
              <Link href="/dashboard/documents" className={LINK}>
                {t("uploadAnswering")}
              </Link>
            </p>
          </>
        )}
      </Card>

      <Card id="volume" title={t("volumeTitle")}>
        {totals.received === 0 ? (
          <Empty>
            {t.rich("noMessage", {
              days: INSIGHT_DAYS,
              dashboard: (chunks) => (
                <Link href="/dashboard" className={LINK}>
                  {chunks}
                </Link>
              ),
              playground: (chunks) => (
                <Link href="/dashboard/playground" className={LINK}>
                  {chunks}
                </Link>
              ),
            })}
          </Empty>
        ) : (
          <VolumeChart days={volume.days} totals={totals} />
        )}
      </Card>

      <Card id="latency" title={t("latencyTitle")}>
        <p>{t("latencyIntro")}</p>
        {latency.overall.answers === 0 ? (
          <Empty>{t("noAnswer", { days: INSIGHT_DAYS })}</Empty>
        ) : (
          <LatencyChart days={latency.days} overall={latency.overall} />
        )}
      </Card>

      <Card id="cited" title={t("citedTitle")}>
        <p>{t("citedIntro", { days: INSIGHT_DAYS })}</p>
        {cited.length === 0 ? (
          <Empty>{t("noCited", { days: INSIGHT_DAYS })}</Empty>
        ) : (
          <CitedDocumentsList documents={cited} />
        )}
      </Card>
    </div>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-2 space-y-3 text-sm text-slate-700">{children}</div>
    </section>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return (
    <p
      data-testid="insight-empty"
      className="rounded-md border border-dashed border-slate-300 px-4 py-3 text-slate-700"
    >
      {children}
    </p>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-slate-600">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
