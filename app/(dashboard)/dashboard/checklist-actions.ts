"use server";

import { cookies } from "next/headers";
import { requireIdentity } from "@/lib/auth/current-identity";
import { pageOrigin } from "@/lib/http/page-origin";
import { HIDE_CHECKLIST_COOKIE } from "@/lib/onboarding/checklist-visibility";

/** Hides the finished setup checklist on this browser (a form action: works without JavaScript). */
export async function hideChecklist(): Promise<void> {
  const identity = await requireIdentity("/dashboard");
  if (!identity.customerId) return;
  const secure = (await pageOrigin()).startsWith("https:");
  (await cookies()).set(HIDE_CHECKLIST_COOKIE, identity.customerId, {
    path: "/dashboard",
    maxAge: 365 * 24 * 3600,
    sameSite: "lax",
    httpOnly: true,
    secure,
  });
}

/** Shows the setup checklist again. */
export async function showChecklist(): Promise<void> {
  await requireIdentity("/dashboard");
  (await cookies()).delete({ name: HIDE_CHECKLIST_COOKIE, path: "/dashboard" });
}
