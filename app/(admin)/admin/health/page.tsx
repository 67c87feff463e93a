import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { adminFormat } from "@/components/admin/format";
import { Notice, TableRegion, TD, TH, THEAD } from "@/components/admin/table-region";
import { requireStaffPage } from "@/lib/admin/staff-page";
import { getSystemHealth, RECENT_FAILURES } from "@/lib/admin/system-health";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminHealth");
  return { title: t("metaTitle") };
}

/** A due job waiting longer than this means the workers are not keeping up (or not running). */
const LATE_SECONDS = 60;

export default async function HealthPage() {
  const { identity, meta } = await requireStaffPage("/admin/health");
  const health = await getSystemHealth(identity, meta);
  const [t, ta, format] = await Promise.all([getTranslations("adminHealth"), getTranslations("admin"), getFormatter()]);
  const f = adminFormat(format, ta);
  const { queue } = health;
  const late = queue.oldest_due_age_seconds !== null && queue.oldest_due_age_seconds > LATE_SECONDS;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-700">
          {t.rich("intro", {
            at: f.time(health.generated_at),
            time: (chunks) => <time dateTime={health.generated_at}>{chunks}</time>,
          })}{" "}
          <Link prefetch={false} href="/admin/health" className="font-medium text-brand-800 underline">
            {t("refresh")}
          </Link>
        </p>
      </div>

      <div className="space-y-3">
        <h2 id="queue-heading" className="text-lg font-semibold">
          {t("queueHeading")}
        </h2>
        <dl className="grid gap-3 sm:grid-cols-3 lg:grid-cols-5">
          <Stat
            term={t("waiting")}
            value={f.number(queue.totals.queued)}
            note={t("dueNowCount", { count: f.number(queue.totals.due) })}
          />
          <Stat term={t("running")} value={f.number(queue.totals.running)} />
          <Stat
            term={t("oldestDue")}
            value={queue.oldest_due_age_seconds === null ? t("none") : f.duration(queue.oldest_due_age_seconds)}
            tone={late ? "bad" : "ok"}
            note={late ? t("behind") : undefined}
          />
          <Stat
            term={t("expiredLeases")}
            value={f.number(queue.expired_leases)}
            tone={queue.expired_leases > 0 ? "warn" : "ok"}
            note={queue.expired_leases > 0 ? t("expiredLeasesNote") : undefined}
          />
          <Stat
            term={t("failed24h")}
            value={f.number(queue.failed_last_24h)}
            tone={queue.failed_last_24h > 0 ? "bad" : "ok"}
          />
        </dl>
        {queue.by_kind.length === 0 ? (
          <Notice>{t("queueEmpty")}</Notice>
        ) : (
          <TableRegion labelledBy="queue-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("queueCaption")}</caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("queueColumns.type")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("queueColumns.waiting")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("queueColumns.dueNow")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("queueColumns.retrying")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("queueColumns.running")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {queue.by_kind.map((k) => (
                  <tr key={k.kind} className="border-t border-slate-200">
                    <th scope="row" className={`${TD} font-medium`}>
                      <code>{k.kind}</code>
                    </th>
                    <td className={`${TD} tabular-nums`}>{f.number(k.queued)}</td>
                    <td className={`${TD} tabular-nums`}>{f.number(k.due)}</td>
                    <td className={`${TD} tabular-nums`}>{f.number(k.retrying)}</td>
                    <td className={`${TD} tabular-nums`}>{f.number(k.running)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </div>

      <div className="space-y-3">
        <h2 id="failed-jobs-heading" className="text-lg font-semibold">
          {t("failedJobsHeading")}
        </h2>
        {health.failed_jobs.length === 0 ? (
          <Notice>{t("noFailedJobs")}</Notice>
        ) : (
          <TableRegion labelledBy="failed-jobs-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("failedJobsCaption", { count: RECENT_FAILURES })}</caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("failedJobsColumns.failed")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedJobsColumns.type")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedJobsColumns.tenant")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedJobsColumns.attempts")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedJobsColumns.error")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {health.failed_jobs.map((j) => (
                  <tr key={j.id} className="border-t border-slate-200">
                    <td className={`${TD} whitespace-nowrap`}>{f.time(j.failed_at)}</td>
                    <td className={TD}>
                      <code>{j.kind}</code>
                    </td>
                    <td className={TD}>
                      <TenantLink tenant={j.customer} />
                    </td>
                    <td className={`${TD} tabular-nums`}>
                      {t("attemptsValue", { attempts: f.number(j.attempts), max: f.number(j.max_attempts) })}
                    </td>
                    <td className={`${TD} min-w-64 break-words text-red-800`}>{j.last_error ?? t("noError")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </div>

      <div className="space-y-3">
        <h2 id="failed-messages-heading" className="text-lg font-semibold">
          {t("failedMessagesHeading")}
        </h2>
        {health.failed_messages.length === 0 ? (
          <Notice>{t("noFailedMessages")}</Notice>
        ) : (
          <TableRegion labelledBy="failed-messages-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("failedMessagesCaption", { count: RECENT_FAILURES })}</caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("failedMessagesColumns.when")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedMessagesColumns.tenant")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedMessagesColumns.message")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("failedMessagesColumns.error")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {health.failed_messages.map((m) => (
                  <tr key={m.id} className="border-t border-slate-200">
                    <td className={`${TD} whitespace-nowrap`}>{f.time(m.created_at)}</td>
                    <td className={TD}>
                      <TenantLink tenant={m.customer} />
                    </td>
                    <td className={`${TD} min-w-64 break-words`}>
                      <span className="block text-xs text-slate-600">
                        {t(m.direction === "inbound" ? "from" : "to", {
                          subscriber: m.subscriber_id,
                          channel: m.channel,
                        })}
                      </span>
                      {m.content}
                    </td>
                    <td className={`${TD} min-w-48 break-words text-red-800`}>{m.error ?? t("noError")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </div>
    </div>
  );
}

function Stat({
  term,
  value,
  note,
  tone = "ok",
}: {
  term: string;
  value: string;
  note?: string;
  tone?: "ok" | "warn" | "bad";
}) {
  const colours = {
    ok: "border-slate-200 bg-white",
    warn: "border-amber-300 bg-amber-50",
    bad: "border-red-300 bg-red-50",
  }[tone];
  return (
    <div className={`rounded-lg border p-4 ${colours}`}>
      <dt className="text-sm text-slate-700">{term}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
      {note && <dd className="text-xs text-slate-700">{note}</dd>}
    </div>
  );
}

function TenantLink({ tenant }: { tenant: { id: string; name: string } | null }) {
  if (!tenant) return <span className="text-slate-600">—</span>;
  return (
    <Link
      prefetch={false}
      href={`/admin/tenants/${tenant.id}`}
      className="font-medium text-brand-800 underline hover:no-underline"
    >
      {tenant.name}
    </Link>
  );
}
