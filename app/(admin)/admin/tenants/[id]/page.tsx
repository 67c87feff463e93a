import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { adminFormat, roleLabel, tenantStatus } from "@/components/admin/format";
import { Notice, StatusBadge, TableRegion, TD, TH, THEAD } from "@/components/admin/table-region";
import { TenantPlanControl } from "@/components/admin/tenant-plan-control";
import { TenantStatusControl } from "@/components/admin/tenant-status-control";
import { INVOICE_STATUS_CLASS, isInvoiceStatus, periodLabel } from "@/components/billing/invoice-format";
import { requireStaffPage } from "@/lib/admin/staff-page";
import { planChoices } from "@/lib/admin/tenant-plan";
import {
  getTenantSupportView,
  SUPPORT_VIEW_DOCUMENTS,
  SUPPORT_VIEW_INVOICES,
  type TenantSupportView,
} from "@/lib/admin/tenant-support-view";
import { AppError } from "@/lib/http/errors";
import { assertUuid } from "@/lib/http/ids";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminTenant");
  return { title: t("metaTitle") };
}

/** Each document status's badge colours; its label is in the "adminTenant.documentStatus" messages. */
const DOCUMENT_STATUS_CLASS = {
  processed: "bg-brand-50 text-brand-800 ring-brand-600/40",
  pending: "bg-sky-50 text-sky-900 ring-sky-300",
  processing: "bg-sky-50 text-sky-900 ring-sky-300",
  failed: "bg-red-50 text-red-800 ring-red-300",
} as const;
const isDocumentStatus = (s: string): s is keyof typeof DOCUMENT_STATUS_CLASS =>
  Object.hasOwn(DOCUMENT_STATUS_CLASS, s);

/** The message statuses with a label in the "adminTenant.messageStatus" messages. */
const MESSAGE_STATUSES = ["pending", "answered", "unanswered", "failed", "sent", "limited"] as const;
const isMessageStatus = (s: string): s is (typeof MESSAGE_STATUSES)[number] =>
  (MESSAGE_STATUSES as readonly string[]).includes(s);

export default async function TenantSupportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: rawId } = await params;
  const { identity, meta, canEdit } = await requireStaffPage(`/admin/tenants/${encodeURIComponent(rawId)}`);
  let tenant: TenantSupportView;
  try {
    tenant = await getTenantSupportView(identity, assertUuid(rawId, "Tenant"), meta);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  const [t, ta, format] = await Promise.all([getTranslations("adminTenant"), getTranslations("admin"), getFormatter()]);
  const f = adminFormat(format, ta);
  const status = tenantStatus(ta, tenant.status);
  const limit = tenant.billing.request_limit;
  const used = tenant.billing.requests_used;
  const day = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "medium", timeZone: "UTC" });

  return (
    <div className="space-y-8">
      <div>
        <p className="text-sm">
          <Link href="/admin" className="font-medium text-brand-800 underline">
            {t("allTenants")}
          </Link>
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="break-words text-2xl font-semibold">{tenant.name}</h1>
          <StatusBadge label={status.label} className={status.className} />
        </div>
        <p className="mt-1 text-sm text-slate-700">
          {t.rich("intro", {
            link: (chunks) => (
              <Link
                prefetch={false}
                href={`/admin/audit?customer_id=${tenant.id}`}
                className="font-medium text-brand-800 underline"
              >
                {chunks}
              </Link>
            ),
          })}
        </p>
      </div>

      <section aria-labelledby="profile-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="profile-heading" className="text-lg font-semibold">
          {t("profile.heading")}
        </h2>
        <dl className="mt-3 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          <Item term={t("profile.tenantId")}>
            <code className="break-all text-xs">{tenant.id}</code>
          </Item>
          <Item term={t("profile.created")}>{f.time(tenant.created_at)}</Item>
          <Item term={t("profile.manychat")}>
            {!tenant.manychat.configured
              ? t("profile.manychatNotConnected")
              : tenant.manychat.page_name
                ? t("profile.manychatConnectedTo", {
                    page: tenant.manychat.page_name,
                    last4: tenant.manychat.key_last4 ?? "?",
                  })
                : t("profile.manychatConnected", { last4: tenant.manychat.key_last4 ?? "?" })}
          </Item>
          <Item term={t("profile.webhook")}>
            <span className="break-all">{tenant.webhook_url ?? t("profile.webhookNone")}</span>
          </Item>
          <Item term={t("profile.language")}>{tenant.settings.language}</Item>
          <Item term={t("profile.memory")}>
            {t("profile.memoryValue", {
              turns: tenant.settings.memory_turns,
              seconds: tenant.settings.burst_window_seconds,
            })}
          </Item>
          {tenant.deletion_requested_at && (
            <Item term={t("profile.deletionRequested")}>{f.time(tenant.deletion_requested_at)}</Item>
          )}
        </dl>
        <h3 className="mt-5 text-base font-semibold" id="users-heading">
          {t("profile.users")}
        </h3>
        {tenant.users.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">{t("profile.noUsers")}</p>
        ) : (
          <ul aria-labelledby="users-heading" className="mt-2 space-y-1 text-sm">
            {tenant.users.map((u) => (
              <li key={u.id}>
                <span className="break-all font-medium">{u.email}</span> · {roleLabel(ta, u.role)} ·{" "}
                {u.last_login_at
                  ? t("profile.lastLogin", { time: f.time(u.last_login_at) })
                  : t("profile.neverLoggedIn")}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="plan-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="plan-heading" className="text-lg font-semibold">
          {t("usage.heading")}
        </h2>
        <dl className="mt-3 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
          <Item term={t("usage.plan")}>
            {tenant.plan.price_cents === 0
              ? t("usage.planFree", { plan: tenant.plan.name })
              : t("usage.planPrice", { plan: tenant.plan.name, price: f.euros(tenant.plan.price_cents) })}
          </Item>
          <Item term={t("billing.requests")}>
            {t("usage.requestsOf", { used: f.number(used), limit: f.number(limit) })}
            {used >= limit && (
              <span className="text-red-800">
                {" "}
                ({tenant.plan.overage_allowed ? t("usage.inOverage") : t("usage.overLimit")})
              </span>
            )}
          </Item>
          <Item term={t("billing.period")}>
            {t("billing.periodValue", {
              start: day(tenant.billing.period_start),
              end: day(new Date(new Date(tenant.billing.period_end).getTime() - 1).toISOString()),
            })}
          </Item>
          <Item term={t("billing.payment")}>
            <span className={tenant.billing.billing_status === "past_due" ? "text-red-800" : undefined}>
              {t(`billing.paymentStatus.${tenant.billing.billing_status}`, {
                date: tenant.billing.payment_failed_at ? f.time(tenant.billing.payment_failed_at) : "?",
              })}
            </span>
          </Item>
          <Item term={t("usage.storage")}>
            {t("usage.storageOf", {
              used: f.number(tenant.usage.storage_used_mb),
              limit: f.number(tenant.plan.storage_limit_mb),
            })}
          </Item>
          <Item term={t("usage.documents")}>{f.number(tenant.usage.document_count)}</Item>
          <Item term={t("usage.messages")}>
            {t("usage.messagesFrom", {
              messages: f.number(tenant.usage.message_count),
              count: tenant.usage.subscriber_count,
            })}
          </Item>
          <Item term={t("usage.jobs")}>
            {t.rich("usage.jobsValue", {
              queued: f.number(tenant.jobs.queued),
              running: f.number(tenant.jobs.running),
              failed: f.number(tenant.jobs.failed),
              tone: (chunks) => <span className={tenant.jobs.failed > 0 ? "text-red-800" : undefined}>{chunks}</span>,
            })}
          </Item>
        </dl>
      </section>

      <div className="space-y-3">
        <h2 id="invoices-heading" className="text-lg font-semibold">
          {t("invoices.heading")}
        </h2>
        {tenant.invoices.length === 0 ? (
          <Notice>{t("invoices.empty")}</Notice>
        ) : (
          <TableRegion labelledBy="invoices-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                {t("invoices.caption", { name: tenant.name, count: SUPPORT_VIEW_INVOICES })}
              </caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("invoices.period")}
                  </th>
                  <th scope="col" className={`${TH} text-right`}>
                    {t("invoices.requests")}
                  </th>
                  <th scope="col" className={`${TH} text-right`}>
                    {t("invoices.amount")}
                  </th>
                  <th scope="col" className={`${TH} text-right`}>
                    {t("invoices.overage")}
                  </th>
                  <th scope="col" className={`${TH} text-right`}>
                    {t("invoices.total")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("invoices.status")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("invoices.invoice")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {tenant.invoices.map((inv) => {
                  const period = periodLabel(format, inv.period_start);
                  const s = isInvoiceStatus(inv.status)
                    ? { label: t(`invoices.statusLabel.${inv.status}`), className: INVOICE_STATUS_CLASS[inv.status] }
                    : { label: inv.status, className: "ring-slate-300" };
                  return (
                    <tr key={inv.id} className="border-t border-slate-200">
                      <td className={`${TD} whitespace-nowrap font-medium`}>
                        {period}
                        {inv.plan_name && <p className="font-normal text-slate-600">{inv.plan_name}</p>}
                      </td>
                      <td className={`${TD} text-right tabular-nums`}>{f.number(inv.requests_used)}</td>
                      <td className={`${TD} whitespace-nowrap text-right tabular-nums`}>{f.euros(inv.amount_cents)}</td>
                      <td className={`${TD} whitespace-nowrap text-right tabular-nums`}>
                        {f.euros(inv.overage_cents)}
                      </td>
                      <td className={`${TD} whitespace-nowrap text-right font-medium tabular-nums`}>
                        {f.euros(inv.total_cents)}
                      </td>
                      <td className={TD}>
                        <StatusBadge label={s.label} className={s.className} />
                      </td>
                      <td className={`${TD} whitespace-nowrap`}>
                        {inv.hosted_invoice_url ? (
                          <a
                            href={inv.hosted_invoice_url}
                            target="_blank"
                            rel="noopener noreferrer"
                            aria-label={t("invoices.openLabel", { period })}
                            className="font-medium text-brand-800 underline"
                          >
                            {t("invoices.open")}
                          </a>
                        ) : (
                          t("invoices.none")
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        )}
      </div>

      {canEdit && tenant.status !== "pending_deletion" && (
        <section aria-labelledby="plan-heading" className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 id="plan-heading" className="text-lg font-semibold">
            {t("planControl.heading")}
          </h2>
          <TenantPlanControl tenantId={tenant.id} currentPlanId={tenant.plan.id} plans={await planChoices(identity)} />
        </section>
      )}

      <section aria-labelledby="status-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="status-heading" className="text-lg font-semibold">
          {t("statusHeading")}
        </h2>
        {canEdit ? (
          <TenantStatusControl tenantId={tenant.id} tenantName={tenant.name} status={tenant.status} />
        ) : (
          <p className="mt-2 text-sm text-slate-700">{t("readOnlyStatus", { status: status.label })}</p>
        )}
      </section>

      <div className="space-y-3">
        <h2 id="documents-heading" className="text-lg font-semibold">
          {t("documents.heading")}
        </h2>
        {tenant.documents.length === 0 ? (
          <Notice>{t("documents.empty")}</Notice>
        ) : (
          <TableRegion labelledBy="documents-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                {tenant.usage.document_count > SUPPORT_VIEW_DOCUMENTS
                  ? t("documents.captionLatest", { name: tenant.name, count: SUPPORT_VIEW_DOCUMENTS })
                  : t("documents.caption", { name: tenant.name })}
              </caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("documents.file")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("documents.status")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("documents.pages")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("documents.size")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("documents.uploaded")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {tenant.documents.map((d) => {
                  const s = isDocumentStatus(d.status)
                    ? { label: t(`documentStatus.${d.status}`), className: DOCUMENT_STATUS_CLASS[d.status] }
                    : { label: d.status, className: "ring-slate-300" };
                  return (
                    <tr key={d.id} className="border-t border-slate-200">
                      <td className={`${TD} min-w-48 break-words font-medium`}>
                        {d.filename}
                        {d.error && <p className="mt-1 font-normal text-red-800">{d.error}</p>}
                      </td>
                      <td className={TD}>
                        <StatusBadge label={s.label} className={s.className} />
                      </td>
                      <td className={`${TD} tabular-nums`}>{d.page_count === null ? "—" : f.number(d.page_count)}</td>
                      <td className={`${TD} whitespace-nowrap tabular-nums`}>{f.bytes(d.size_bytes)}</td>
                      <td className={`${TD} whitespace-nowrap`}>{f.time(d.upload_date)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        )}
      </div>

      <div className="space-y-3">
        <h2 id="messages-heading" className="text-lg font-semibold">
          {t("messages.heading")}
        </h2>
        {tenant.recent_messages.length === 0 ? (
          <Notice>{t("messages.empty")}</Notice>
        ) : (
          <TableRegion labelledBy="messages-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("messages.caption", { count: tenant.recent_messages.length })}</caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("messages.when")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("messages.customer")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("messages.direction")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("messages.message")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("messages.status")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {tenant.recent_messages.map((m) => (
                  <tr key={m.id} className="border-t border-slate-200">
                    <td className={`${TD} whitespace-nowrap`}>{f.time(m.created_at)}</td>
                    <td className={`${TD} min-w-32 break-words`}>{m.subscriber_name ?? m.subscriber_id}</td>
                    <td className={`${TD} whitespace-nowrap`}>
                      {m.direction === "inbound"
                        ? t("messages.fromCustomer", { channel: m.channel })
                        : t("messages.toCustomer", { channel: m.channel })}
                    </td>
                    <td className={`${TD} min-w-64 break-words`}>
                      {m.content}
                      {m.error && <p className="mt-1 text-red-800">{m.error}</p>}
                    </td>
                    <td className={`${TD} whitespace-nowrap`}>
                      {isMessageStatus(m.status) ? t(`messageStatus.${m.status}`) : m.status}
                    </td>
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

function Item({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-slate-600">{term}</dt>
      <dd className="font-medium text-slate-900">{children}</dd>
    </div>
  );
}
