import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { type AdminT, adminFormat, roleLabel } from "@/components/admin/format";
import { Notice, TableRegion, TD, TH, THEAD } from "@/components/admin/table-region";
import { KNOWN_AUDIT_ACTIONS } from "@/lib/admin/audit-actions";
import { type AuditEntry, type AuditQuery, auditQuerySchema, listAuditLogs } from "@/lib/admin/audit-log";
import { requireStaffPage } from "@/lib/admin/staff-page";
import { AppError } from "@/lib/http/errors";
import { zodIssues } from "@/lib/http/parse";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminAudit");
  return { title: t("metaTitle") };
}

const PAGE_SIZE = 50;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const INPUT = "mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900";
const PAGER =
  "rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { identity, meta } = await requireStaffPage("/admin/audit");
  const [t, ta, format] = await Promise.all([getTranslations("adminAudit"), getTranslations("admin"), getFormatter()]);
  const f = adminFormat(format, ta);
  const params = await searchParams;
  const raw = {
    customer_id: one(params.customer_id)?.trim() ?? "",
    action: one(params.action)?.trim() ?? "",
    cursor: one(params.cursor) || undefined,
  };
  const parsed = auditQuerySchema.safeParse({ ...raw, limit: PAGE_SIZE });
  const problems = parsed.success ? [] : zodIssues(parsed.error);
  // A bad filter or cursor (a hand-edited URL): say so, and show the newest entries unfiltered.
  let query: AuditQuery = parsed.success ? parsed.data : { limit: PAGE_SIZE };
  let log: Awaited<ReturnType<typeof listAuditLogs>>;
  try {
    log = await listAuditLogs(identity, query, meta);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
    problems.push({ path: "cursor", message: t("notAPage") });
    query = { limit: PAGE_SIZE };
    log = await listAuditLogs(identity, query, meta);
  }
  const filtered = Boolean(query.customer_id || query.action);
  const paged = Boolean(query.cursor);
  const tenantName = query.customer_id
    ? (log.items.find((e) => e.customer?.id === query.customer_id)?.customer?.name ?? null)
    : null;
  const href = (extra: Record<string, string>) => {
    const search = new URLSearchParams({
      ...(query.customer_id ? { customer_id: query.customer_id } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...extra,
    }).toString();
    return search ? `/admin/audit?${search}` : "/admin/audit";
  };

  return (
    <div className="space-y-6">
      <div>
        <h1 id="audit-heading" className="text-2xl font-semibold">
          {t("title")}
        </h1>
        <p className="mt-1 text-sm text-slate-700">{t("intro")}</p>
      </div>

      <search>
        <form method="get" action="/admin/audit" className="grid items-end gap-3 sm:grid-cols-[1fr_1fr_auto]">
          <div className="min-w-0">
            <label htmlFor="audit-tenant" className="block text-sm font-medium text-slate-800">
              {t("tenantId")}
            </label>
            <input
              id="audit-tenant"
              name="customer_id"
              type="text"
              spellCheck={false}
              autoComplete="off"
              defaultValue={raw.customer_id}
              aria-describedby="audit-tenant-hint"
              className={INPUT}
            />
            <p id="audit-tenant-hint" className="mt-1 text-xs text-slate-600">
              {t("tenantIdHint")}
            </p>
          </div>
          <div className="min-w-0">
            <label htmlFor="audit-action" className="block text-sm font-medium text-slate-800">
              {t("action")}
            </label>
            <input
              id="audit-action"
              name="action"
              type="text"
              list="audit-actions"
              spellCheck={false}
              autoComplete="off"
              defaultValue={raw.action}
              aria-describedby="audit-action-hint"
              className={INPUT}
            />
            <datalist id="audit-actions">
              {["admin.", "support.", "auth.", "customer.", ...KNOWN_AUDIT_ACTIONS].map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <p id="audit-action-hint" className="mt-1 text-xs text-slate-600">
              {t("actionHint")}
            </p>
          </div>
          <div className="flex gap-2 pb-5">
            <button
              type="submit"
              className="inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
            >
              {t("filter")}
            </button>
            {(filtered || raw.customer_id || raw.action) && (
              <Link href="/admin/audit" className={PAGER}>
                {t("clear")}
              </Link>
            )}
          </div>
        </form>
      </search>

      {problems.length > 0 && (
        <Notice tone="error" title={t("problemsTitle")}>
          <ul className="list-inside list-disc">
            {problems.map((p) => (
              <li key={`${p.path}-${p.message}`}>
                {t("problem", {
                  field: t(
                    p.path === "customer_id"
                      ? "problemField.customer_id"
                      : p.path === "action"
                        ? "problemField.action"
                        : "problemField.page",
                  ),
                  message: p.message,
                })}
              </li>
            ))}
          </ul>
          <p className="mt-1">{t("problemsFallback")}</p>
        </Notice>
      )}

      {log.items.length === 0 ? (
        <Notice title={filtered ? t("noMatchTitle") : paged ? t("noOlderTitle") : t("emptyTitle")}>
          <p>
            {filtered || paged ? (
              <Link href="/admin/audit" className="font-medium text-brand-800 underline">
                {t("seeNewest")}
              </Link>
            ) : (
              t("emptyText")
            )}
          </p>
        </Notice>
      ) : (
        <>
          <TableRegion labelledBy="audit-heading">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                {[
                  t("caption"),
                  ...(query.customer_id ? [t("captionTenant", { tenant: tenantName ?? query.customer_id })] : []),
                  ...(query.action ? [t("captionAction", { action: query.action })] : []),
                ].join(", ")}
              </caption>
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>
                    {t("columns.when")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.action")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.who")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.tenant")}
                  </th>
                  <th scope="col" className={TH}>
                    {t("columns.details")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {log.items.map((e) => (
                  <Row key={e.id} entry={e} t={t} ta={ta} time={f.time} />
                ))}
              </tbody>
            </table>
          </TableRegion>
          {(paged || log.next_cursor) && (
            <nav aria-label={t("moreNav")} className="flex flex-wrap gap-3">
              {paged && (
                <Link href={href({})} className={PAGER}>
                  {ta("backToNewest")}
                </Link>
              )}
              {log.next_cursor && (
                <Link href={href({ cursor: log.next_cursor })} className={PAGER}>
                  {t("showOlder")}
                </Link>
              )}
            </nav>
          )}
        </>
      )}
    </div>
  );
}

type AuditT = Awaited<ReturnType<typeof getTranslations<"adminAudit">>>;

function Row({ entry: e, t, ta, time }: { entry: AuditEntry; t: AuditT; ta: AdminT; time: (iso: string) => string }) {
  const details = Object.keys(e.metadata).length > 0 ? JSON.stringify(e.metadata) : null;
  return (
    <tr className="border-t border-slate-200">
      <td className={`${TD} whitespace-nowrap`}>
        <time dateTime={e.created_at}>{time(e.created_at)}</time>
      </td>
      <td className={TD}>
        <code className="text-xs font-semibold">{e.action}</code>
      </td>
      <td className={`${TD} break-words`}>
        {e.actor.email ?? (e.actor.user_id ? t("deletedUser") : t("system"))}
        {e.actor.role && (
          <span className="block whitespace-nowrap text-xs text-slate-600">{roleLabel(ta, e.actor.role)}</span>
        )}
      </td>
      <td className={TD}>
        {e.customer ? (
          <>
            <Link
              prefetch={false}
              href={`/admin/audit?customer_id=${e.customer.id}`}
              className="font-medium text-brand-800 underline hover:no-underline"
            >
              {e.customer.name ?? e.customer.id}
            </Link>
            <Link
              prefetch={false}
              href={`/admin/tenants/${e.customer.id}`}
              className="block text-xs text-brand-800 underline"
            >
              {t.rich("supportView", {
                name: e.customer.name ?? t("thisTenant"),
                hidden: (chunks) => <span className="sr-only">{chunks}</span>,
              })}
            </Link>
          </>
        ) : (
          <span className="text-slate-600">—</span>
        )}
      </td>
      <td className={`${TD} min-w-80 text-xs text-slate-700`}>
        {e.target_type && (
          <span className="block">
            {e.target_type} <code className="break-all">{e.target_id}</code>
          </span>
        )}
        <span className="block">
          {e.request_id
            ? t.rich("request", {
                ip: e.ip ?? t("noIp"),
                id: e.request_id,
                code: (chunks) => <code className="break-all">{chunks}</code>,
              })
            : (e.ip ?? t("noIp"))}
        </span>
        {e.user_agent && <span className="block break-all text-slate-600">{e.user_agent.slice(0, 120)}</span>}
        {details && <code className="mt-1 block break-all">{details}</code>}
      </td>
    </tr>
  );
}
