"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import type { Invoice } from "@/lib/billing/invoices";
import { INVOICE_STATUS_CLASS, isInvoiceStatus, periodLabel } from "./invoice-format";

const TH = "px-3 py-2 font-semibold";
const TD = "px-3 py-2 align-top";

/**
 * The tenant's invoices, newest period first: the first page comes from the server, the
 * older ones from GET /billing/invoices on demand. On a phone the table scrolls inside its
 * own region (reachable by keyboard), never the page.
 */
export function InvoicesTable({
  initial,
  firstCloseAt,
}: {
  initial: { items: Invoice[]; next_cursor: string | null };
  /** When the current period ends and its invoice is written (for the empty state). */
  firstCloseAt: string;
}) {
  const t = useTranslations("invoices");
  const format = useFormatter();
  const [items, setItems] = useState(initial.items);
  const [cursor, setCursor] = useState(initial.next_cursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const firstNew = useRef<HTMLTableRowElement>(null);
  /** The index of the first invoice of the page loaded last: it gets the focus. */
  const firstNewIndex = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a page of invoices was added.
  useEffect(() => {
    if (firstNewIndex.current !== null) firstNew.current?.focus();
  }, [items]);
  const money = (cents: number) => format.number(cents / 100, { style: "currency", currency: "EUR" });

  async function loadMore() {
    if (!cursor || loading) return;
    setLoading(true);
    setError(null);
    try {
      const res = await fetch(`/api/v1/billing/invoices?cursor=${encodeURIComponent(cursor)}`, { cache: "no-store" });
      const body = (await res.json().catch(() => null)) as {
        items?: Invoice[];
        next_cursor?: string | null;
        error?: { message?: string };
      } | null;
      if (!res.ok || !body?.items) {
        setError(body?.error?.message ?? t("loadFailed"));
      } else {
        // Keyboard users continue from the first invoice just added.
        firstNewIndex.current = items.length;
        setItems((prev) => [...prev, ...(body.items ?? [])]);
        setCursor(body.next_cursor ?? null);
      }
    } catch {
      setError(t("networkError"));
    }
    setLoading(false);
  }
  if (items.length === 0) {
    return (
      <p className="mt-3 rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-700">
        {t("empty", {
          date: format.dateTime(new Date(firstCloseAt), {
            day: "numeric",
            month: "long",
            year: "numeric",
            timeZone: "UTC",
          }),
        })}
      </p>
    );
  }

  return (
    <div className="mt-3">
      <section
        aria-label={t("tableLabel")}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrolls sideways on phones; a keyboard must reach it.
        tabIndex={0}
        className="relative overflow-x-auto rounded-md border border-slate-200"
      >
        <table className="w-full text-left text-sm" data-testid="invoices-table">
          <caption className="sr-only">{t("caption")}</caption>
          <thead className="whitespace-nowrap bg-slate-100 text-slate-700">
            <tr>
              <th scope="col" className={TH}>
                {t("period")}
              </th>
              <th scope="col" className={`${TH} text-right`}>
                {t("requests")}
              </th>
              <th scope="col" className={`${TH} text-right`}>
                {t("amount")}
              </th>
              <th scope="col" className={`${TH} text-right`}>
                {t("overage")}
              </th>
              <th scope="col" className={`${TH} text-right`}>
                {t("total")}
              </th>
              <th scope="col" className={TH}>
                {t("status")}
              </th>
              <th scope="col" className={TH}>
                {t("invoice")}
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((inv, i) => {
              const period = periodLabel(format, inv.period_start);
              const status = isInvoiceStatus(inv.status)
                ? { label: t(`statusLabel.${inv.status}`), className: INVOICE_STATUS_CLASS[inv.status] }
                : { label: inv.status, className: "ring-slate-300" };
              return (
                <tr
                  key={inv.id}
                  ref={i === firstNewIndex.current ? firstNew : undefined}
                  tabIndex={i === firstNewIndex.current ? -1 : undefined}
                  className="border-t border-slate-200"
                >
                  <th scope="row" className={`${TD} whitespace-nowrap text-left font-medium text-slate-900`}>
                    {period}
                    {inv.plan_name && <span className="block font-normal text-slate-600">{inv.plan_name}</span>}
                  </th>
                  <td className={`${TD} text-right tabular-nums`}>{format.number(inv.requests_used)}</td>
                  <td className={`${TD} whitespace-nowrap text-right tabular-nums`}>{money(inv.amount_cents)}</td>
                  <td className={`${TD} whitespace-nowrap text-right tabular-nums`}>{money(inv.overage_cents)}</td>
                  <td className={`${TD} whitespace-nowrap text-right font-medium tabular-nums`}>
                    {money(inv.total_cents)}
                  </td>
                  <td className={TD}>
                    <span
                      className={`inline-flex items-center whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${status.className}`}
                    >
                      {status.label}
                    </span>
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    {inv.hosted_invoice_url ? (
                      <a
                        href={inv.hosted_invoice_url}
                        target="_blank"
                        rel="noopener noreferrer"
                        aria-label={t("viewLabel", { period })}
                        className="font-medium text-brand-800 underline"
                      >
                        {t("view")}
                      </a>
                    ) : (
                      <>
                        <span aria-hidden="true">—</span>
                        <span className="sr-only">{t("noLink")}</span>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {cursor && (
        <Button
          type="button"
          variant="secondary"
          className="mt-3"
          aria-disabled={loading}
          onClick={() => void loadMore()}
        >
          {loading ? t("loadingMore") : t("more")}
        </Button>
      )}
      {error && (
        <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}
