"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { ConfirmDialog } from "@/components/settings/confirm-dialog";
import { adminApiError } from "./api-error";

type Status = "active" | "suspended" | "pending_deletion";

/** Suspend or reactivate a tenant (global admins only), after a confirmation. */
export function TenantStatusControl({
  tenantId,
  tenantName,
  status,
}: {
  tenantId: string;
  tenantName: string;
  status: Status;
}) {
  const t = useTranslations("adminTenant.control");
  const ta = useTranslations("admin");
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const restoring = status === "pending_deletion";
  const suspending = status === "active";
  const action = restoring ? "restore" : suspending ? "suspend" : "reactivate";
  const copy = {
    about: t(`${action}.about`),
    button: t(`${action}.button`),
    confirm: t(`${action}.confirm`),
    question: t(`${action}.question`, { name: tenantName }),
    consequence: t(`${action}.consequence`),
    done: t(`${action}.done`),
  };

  async function run() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await fetch(`/api/v1/admin/customers/${tenantId}/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // Restoring takes no body; the other two keep an optional reason for the audit log.
        body: JSON.stringify(!restoring && reason.trim() ? { reason: reason.trim() } : {}),
      });
      const body = (await res.json().catch(() => null)) as unknown;
      if (!res.ok) {
        setError(adminApiError(res.status, body, ta));
        return;
      }
      setReason("");
      setDone(copy.done);
      router.refresh();
    } catch {
      setError(ta("apiErrors.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mt-2 space-y-3 text-sm">
      <p className="text-slate-700">{copy.about}</p>
      {!restoring && (
        <div>
          <label htmlFor="status-reason" className="block font-medium text-slate-800">
            {t("reason")}
          </label>
          <input
            id="status-reason"
            type="text"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            aria-describedby="status-reason-hint"
            className="mt-1 block w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900"
          />
          <p id="status-reason-hint" className="mt-1 text-xs text-slate-600">
            {t("reasonHint")}
          </p>
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          disabled={busy}
          onClick={() => setConfirming(true)}
          className={`inline-flex items-center justify-center rounded-md px-4 py-2 text-sm font-medium transition-colors disabled:opacity-60 ${
            suspending
              ? "border border-red-300 bg-white text-red-800 hover:bg-red-50"
              : "bg-brand-700 text-white hover:bg-brand-800"
          }`}
        >
          {busy ? t("saving") : copy.button}
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
      {confirming && (
        <ConfirmDialog
          id="confirm-status"
          title={copy.question}
          confirmLabel={copy.confirm}
          onConfirm={run}
          onClose={() => setConfirming(false)}
        >
          <p>{copy.consequence}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
