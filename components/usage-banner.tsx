import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { Usage } from "@/lib/billing/usage";

/** Share of a plan's requests after which the dashboard warns, on plans without overage. */
const NEAR_LIMIT = 0.8;

/**
 * Shown above every dashboard page when the plan needs the tenant's attention: the
 * requests of a plan without overage are used up (customers get the limit text), nearly
 * used up, or the last payment failed (grace period before the Free plan).
 */
export async function UsageBanner({ usage }: { usage: Usage }) {
  const t = await getTranslations("usageBanner");
  const format = await getFormatter();
  const plan = usage.plan.name;
  let banner: { tone: "alert" | "warning"; title: string; text: string; action: string } | null = null;
  if (usage.billing_status === "past_due") {
    banner = { tone: "alert", title: t("pastDueTitle"), text: t("pastDueText"), action: t("pastDueAction") };
  } else if (usage.limit_reached) {
    // The period ends at midnight UTC: the last day it includes is the day before.
    const lastDay = new Date(Date.parse(usage.period_end) - 1);
    banner = {
      tone: "alert",
      title: t("limitTitle"),
      text: t("limitText", {
        limit: format.number(usage.request_limit),
        plan,
        end: format.dateTime(lastDay, { dateStyle: "long", timeZone: "UTC" }),
      }),
      action: t("limitAction"),
    };
  } else if (
    !usage.plan.overage_allowed &&
    usage.request_limit > 0 &&
    usage.requests_used >= usage.request_limit * NEAR_LIMIT
  ) {
    banner = {
      tone: "warning",
      title: t("nearTitle"),
      text: t("nearText", {
        used: format.number(usage.requests_used),
        limit: format.number(usage.request_limit),
        plan,
      }),
      action: t("nearAction"),
    };
  }
  if (!banner) return null;
  const colours =
    banner.tone === "alert" ? "border-red-300 bg-red-50 text-red-950" : "border-amber-300 bg-amber-50 text-amber-950";
  return (
    <section
      aria-labelledby="usage-banner-title"
      data-testid="usage-banner"
      className={`mb-6 flex flex-col gap-2 rounded-lg border p-4 sm:flex-row sm:items-center sm:justify-between ${colours}`}
    >
      <div>
        <h2 id="usage-banner-title" className="font-semibold">
          {banner.title}
        </h2>
        <p className="mt-1 text-sm">{banner.text}</p>
      </div>
      <Link
        href="/dashboard/billing"
        className="shrink-0 rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 ring-1 ring-slate-300 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600"
      >
        {banner.action}
      </Link>
    </section>
  );
}
