"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { adminApiError } from "./api-error";

/** Puts a tenant on another plan (global admins only); the reason goes to the audit log. */
export function TenantPlanControl({
  tenantId,
  currentPlanId,
  plans,
}: {
  tenantId: string;
  currentPlanId: string;
  plans: { id: string; name: string }[];
}) {
  const t = useTranslations("adminTenant.planControl");
  const tc = useTranslations("adminTenant.control");
  const ta = useTranslations("admin");
  const router = useRouter();
  const [planId, setPlanId] = useState(currentPlanId);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await fetch(`/api/v1/admin/customers/${tenantId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ subscription_id: planId, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
      });
      const body = (await res.json().catch(() => null)) as { changed?: boolean } | null;
      if (!res.ok) {
        setError(adminApiError(res.status, body, ta));
        return;
      }
      setReason("");
      setDone(body?.changed ? t("done") : t("unchanged"));
      router.refresh();
    } catch {
      setError(ta("apiErrors.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="mt-2 space-y-3 text-sm">
      <p className="text-slate-700">{t("about")}</p>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="tenant-plan" className="block font-medium text-slate-800">
            {t("label")}
          </label>
          <select
            id="tenant-plan"
            value={planId}
            onChange={(e) => setPlanId(e.currentTarget.value)}
            className="mt-1 block w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900"
          >
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id === currentPlanId ? t("current", { name: p.name }) : p.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="plan-reason" className="block font-medium text-slate-800">
            {t("reason")}
          </label>
          <input
            id="plan-reason"
            type="text"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            aria-describedby="plan-reason-hint"
            className="mt-1 block w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900"
          />
          <p id="plan-reason-hint" className="mt-1 text-xs text-slate-600">
            {tc("reasonHint")}
          </p>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={busy || planId === currentPlanId}
          className="inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white transition-colors hover:bg-brand-800 disabled:opacity-60"
        >
          {busy ? tc("saving") : t("button")}
        </button>
        <p role="status" className="font-medium text-brand-800">
          {done}
        </p>
      </div>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
    </form>
  );
}
