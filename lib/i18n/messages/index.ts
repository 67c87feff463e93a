import enAdmin from "./en/admin.json";
import enCommon from "./en/common.json";
import enDashboard from "./en/dashboard.json";
import frAdmin from "./fr/admin.json";
import frCommon from "./fr/common.json";
import frDashboard from "./fr/dashboard.json";

/**
 * The UI's messages per locale, one file per area (common: landing, auth, header; dashboard;
 * admin), each a set of namespaces. English is the reference: lib/i18n/locales.test.ts
 * checks that French has exactly the same keys.
 */
export const MESSAGES = {
  en: { ...enCommon, ...enDashboard, ...enAdmin },
  fr: { ...frCommon, ...frDashboard, ...frAdmin },
};
export type Messages = (typeof MESSAGES)["en"];

/** Namespaces only the admin console uses: left out of the tenant pages' client payload. */
export const ADMIN_NAMESPACES = Object.keys(enAdmin);

/** The messages client components of tenant pages need: everything but the admin console's. */
export function withoutAdmin(messages: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(messages).filter(([ns]) => !ADMIN_NAMESPACES.includes(ns)));
}
