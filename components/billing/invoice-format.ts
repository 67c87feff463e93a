/**
 * Display helpers for invoices, shared by the tenant's billing page and the admin
 * support view (pure: usable by server and client components).
 */
import type { useFormatter } from "next-intl";

export const INVOICE_STATUSES = ["open", "draft", "paid", "payment_failed", "void"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const isInvoiceStatus = (s: string): s is InvoiceStatus => (INVOICE_STATUSES as readonly string[]).includes(s);

/** Each status's badge colours (the label is in words beside them, never colour alone). */
export const INVOICE_STATUS_CLASS: Record<InvoiceStatus, string> = {
  open: "bg-amber-50 text-amber-900 ring-amber-300",
  draft: "bg-slate-50 text-slate-800 ring-slate-300",
  paid: "bg-brand-50 text-brand-800 ring-brand-600/40",
  payment_failed: "bg-red-50 text-red-800 ring-red-300",
  void: "bg-slate-50 text-slate-700 ring-slate-300",
};

/** A billing period is a calendar month in UTC: "November 2026". */
export function periodLabel(format: Pick<ReturnType<typeof useFormatter>, "dateTime">, periodStart: string): string {
  return format.dateTime(new Date(periodStart), { month: "long", year: "numeric", timeZone: "UTC" });
}
