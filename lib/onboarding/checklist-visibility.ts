/**
 * A finished setup checklist can be hidden. The choice is a cookie naming the workspace
 * it was made for (another account on the same browser still sees its own checklist):
 * a display preference, not tenant data, so it stays out of the database.
 */
export const HIDE_CHECKLIST_COOKIE = "pa_checklist_hidden";

export const checklistHidden = (cookieValue: string | undefined, customerId: string) => cookieValue === customerId;
