import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { type Formatter, utcTime } from "@/components/insights/format";
import { ExternalRequestFields, ExternalRequestGuide } from "@/components/manychat/external-request-setup";
import { MAX_PDF_BYTES, MAX_PDF_PAGES } from "@/lib/documents/limits";
import { type OnboardingFacts, type SetupStep, setupSteps } from "@/lib/onboarding/onboarding-status";
import type { CustomerProfile } from "@/lib/tenants/customer-profile";
import { WhatsAppSimulator } from "./whatsapp-simulator";

interface Step {
  key: SetupStep;
  title: string;
  done: boolean;
  body: ReactNode;
}

const LINK = "font-medium text-brand-800 underline underline-offset-2";
const ACTION =
  "inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800";

type OnboardingT = ReturnType<typeof useTranslations<"onboarding">>;

function steps(profile: CustomerProfile, facts: OnboardingFacts, t: OnboardingT, format: Formatter): Step[] {
  const docs = facts.documents;
  const done = setupSteps(facts, profile.manychat.configured);
  return [
    {
      key: "documents",
      title: t("documentsTitle"),
      done: done.documents,
      body: done.documents ? (
        <p>
          {t("docsReady", { count: docs.processed })}{" "}
          <Link href="/dashboard/documents" className={LINK}>
            {t("manageDocuments")}
          </Link>
        </p>
      ) : (
        <>
          <p>{t("docsIntro", { maxMb: MAX_PDF_BYTES / 1024 / 1024, maxPages: MAX_PDF_PAGES })}</p>
          {docs.in_progress > 0 && <p>{t("docsReading", { count: docs.in_progress })}</p>}
          {docs.failed > 0 && docs.in_progress === 0 && <p>{t("docsFailed", { count: docs.failed })}</p>}
          <p>
            <Link href="/dashboard/documents" className={ACTION}>
              {t("uploadPdf")}
            </Link>
          </p>
        </>
      ),
    },
    {
      key: "manychat",
      title: t("manychatTitle"),
      done: done.manychat,
      body: done.manychat ? (
        <p>
          {t.rich(profile.manychat.key_last4 ? "manychatConnectedKey" : "manychatConnected", {
            page: profile.manychat.page_name ?? "ManyChat",
            last4: profile.manychat.key_last4 ?? "",
            strong: (chunks) => <strong data-testid="checklist-manychat-page">{chunks}</strong>,
          })}{" "}
          <Link href="/dashboard/settings#manychat-key-heading" className={LINK}>
            {t("changeInSettings")}
          </Link>
        </p>
      ) : (
        <>
          <p>{t("manychatIntro")}</p>
          <p>
            <Link href="/dashboard/settings#manychat-key-heading" className={ACTION}>
              {t("connectInSettings")}
            </Link>
          </p>
        </>
      ),
    },
    {
      key: "flow",
      title: t("flowTitle"),
      done: done.flow,
      body: facts.first_delivery_at ? (
        <p>
          {t.rich("flowDone", {
            time: utcTime(format, facts.first_delivery_at),
            link: (chunks) => (
              <Link href="/dashboard/settings#inbound-heading" className={LINK}>
                {chunks}
              </Link>
            ),
          })}
        </p>
      ) : (
        <>
          <p>{t("flowIntro")}</p>
          <ExternalRequestGuide headerName={profile.inbound_webhook.secret_header} />
          <ExternalRequestFields hook={profile.inbound_webhook} />
          <p>{t("flowTicks")}</p>
        </>
      ),
    },
    {
      key: "test",
      title: t("testTitle"),
      done: done.test,
      body: (
        <>
          <p>
            {facts.first_answer_at ? t("testDone", { time: utcTime(format, facts.first_answer_at) }) : t("testIntro")}
          </p>
          <WhatsAppSimulator
            company={profile.name}
            burstSeconds={profile.settings.burst_window_seconds}
            hasDocuments={docs.processed > 0}
          />
        </>
      ),
    },
  ];
}

/**
 * The dashboard's setup checklist: four steps from sign-up to a first answered message,
 * each done or to do in words and icon (never by colour alone), with what to do next.
 */
export function SetupChecklist({
  profile,
  facts,
  hideAction,
}: {
  profile: CustomerProfile;
  facts: OnboardingFacts;
  /** Shown once every step is done: the form action that hides the checklist. */
  hideAction: () => Promise<void>;
}) {
  const t = useTranslations("onboarding");
  const format = useFormatter();
  const list = steps(profile, facts, t, format);
  const done = list.filter((s) => s.done).length;
  const complete = done === list.length;
  return (
    <section
      aria-labelledby="setup-heading"
      data-testid="setup-checklist"
      className="rounded-lg border border-slate-200 bg-white p-5"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id="setup-heading" className="text-lg font-semibold">
            {complete ? t("headingDone") : t("heading")}
          </h2>
          <p className="mt-1 text-sm text-slate-700" data-testid="setup-progress">
            {complete ? t("progressDone", { total: list.length }) : t("progress", { done, total: list.length })}
          </p>
        </div>
        {complete && (
          <form action={hideAction}>
            <button
              type="submit"
              className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
            >
              {t("hide")}
            </button>
          </form>
        )}
      </div>
      <div aria-hidden="true" className="mt-3 h-2 overflow-hidden rounded-full bg-slate-200">
        <div className="h-full rounded-full bg-brand-600" style={{ width: `${(done / list.length) * 100}%` }} />
      </div>
      <ol className="mt-5 space-y-4">
        {list.map((step, i) => (
          <li
            key={step.key}
            aria-labelledby={`step-${step.key}-heading`}
            data-testid={`step-${step.key}`}
            data-state={step.done ? "done" : "todo"}
            className={`rounded-lg border p-4 ${step.done ? "border-brand-600/30 bg-brand-50/40" : "border-slate-300"}`}
          >
            <h3 id={`step-${step.key}-heading`} className="flex flex-wrap items-center gap-x-3 gap-y-1 font-semibold">
              <span
                aria-hidden="true"
                className={`flex size-7 shrink-0 items-center justify-center rounded-full text-sm ${
                  step.done ? "bg-brand-700 text-white" : "border-2 border-slate-400 text-slate-700"
                }`}
              >
                {step.done ? "✓" : i + 1}
              </span>
              <span className="min-w-0">{step.title}</span>
              <span
                className={`rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${
                  step.done ? "bg-brand-50 text-brand-800 ring-brand-600/40" : "bg-white text-slate-700 ring-slate-300"
                }`}
              >
                <span className="sr-only">, </span>
                {step.done ? t("done") : t("todo")}
              </span>
            </h3>
            <div className="mt-2 min-w-0 space-y-3 text-sm text-slate-700 sm:pl-10">{step.body}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}
