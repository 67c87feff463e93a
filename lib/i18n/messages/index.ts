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
