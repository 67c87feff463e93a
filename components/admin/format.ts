/**
 * Display helpers of the admin console (pure: usable by server and client components).
 * Words come from the "admin" messages and numbers and dates from next-intl's formatter,
 * both passed in (getTranslations("admin") and getFormatter() on the server).
 */
import type { useFormatter, useTranslations } from "next-intl";

/** The translator of the "admin" messages. */
export type AdminT = ReturnType<typeof useTranslations<"admin">>;
export type Formatter = ReturnType<typeof useFormatter>;

/** Numbers, amounts, sizes, times and durations in the UI's language. */
export function adminFormat(format: Formatter, t: AdminT) {
  const number = (n: number) => format.number(n);
  const oneDecimal = (n: number) => format.number(n, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return {
    number,
    euros: (cents: number) => format.number(cents / 100, { style: "currency", currency: "EUR" }),
    bytes(bytes: number): string {
      if (bytes < 1024) return t("format.bytes", { n: number(bytes) });
      if (bytes < 1024 * 1024) return t("format.kilobytes", { n: number(Math.round(bytes / 1024)) });
      return t("format.megabytes", { n: oneDecimal(bytes / (1024 * 1024)) });
    },
    /** Times in UTC, said so: staff in different time zones compare the same numbers. */
    time: (iso: string) =>
      t("format.utc", {
        time: format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }),
      }),
    duration(seconds: number): string {
      if (seconds < 60) return t("format.seconds", { s: seconds });
      if (seconds < 3600) return t("format.minutes", { m: Math.floor(seconds / 60), s: seconds % 60 });
      const hours = Math.floor(seconds / 3600);
      return hours < 48
        ? t("format.hours", { h: hours, m: Math.floor((seconds % 3600) / 60) })
        : t("format.days", { d: Math.floor(hours / 24) });
    },
  };
}

const ROLES = ["account_user", "support_user", "global_admin"] as const;
const isRole = (role: string): role is (typeof ROLES)[number] => (ROLES as readonly string[]).includes(role);
/** A user's role in words; an unknown role as it is stored. */
export const roleLabel = (t: AdminT, role: string) => (isRole(role) ? t(`roles.${role}`) : role);

const TENANT_STATUS_CLASS = {
  active: "bg-brand-50 text-brand-800 ring-brand-600/40",
  suspended: "bg-red-50 text-red-800 ring-red-300",
  pending_deletion: "bg-amber-50 text-amber-900 ring-amber-300",
} as const;
const isTenantStatus = (status: string): status is keyof typeof TENANT_STATUS_CLASS =>
  Object.hasOwn(TENANT_STATUS_CLASS, status);
/** A tenant's status as a badge: its label in words and its colours (an unknown status as stored). */
export function tenantStatus(t: AdminT, status: string): { label: string; className: string } {
  return isTenantStatus(status)
    ? { label: t(`tenantStatus.${status}`), className: TENANT_STATUS_CLASS[status] }
    : { label: status, className: "ring-slate-300" };
}
