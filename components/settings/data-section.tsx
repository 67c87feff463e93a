"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * The workspace's data: a download of everything (GDPR export: GET /customers/me/export)
 * and the deletion of the workspace (DELETE /customers/me), confirmed by typing its name,
 * with what happens explained before: unreachable at once, restorable by support for
 * the grace period, then erased.
 */
export function DataSection({ workspaceName, graceDays }: { workspaceName: string; graceDays: number }) {
  const t = useTranslations("dataSection");
  const [confirming, setConfirming] = useState(false);
  return (
    <section aria-labelledby="data-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="data-heading" className="text-lg font-semibold">
        {t("title")}
      </h2>
      <p className="mt-1 text-sm text-slate-700">{t("exportText")}</p>
      <a
        href="/api/v1/customers/me/export"
        download
        className="mt-3 inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
      >
        {t("exportButton")}
      </a>
      <div className="mt-6 border-t border-slate-200 pt-4">
        <h3 className="font-semibold text-red-800">{t("deleteTitle")}</h3>
        <p className="mt-1 text-sm text-slate-700">{t("deleteText", { days: graceDays })}</p>
        <Button
          type="button"
          variant="secondary"
          className="mt-3 border-red-300 text-red-800 hover:bg-red-50"
          onClick={() => setConfirming(true)}
        >
          {t("deleteButton")}
        </Button>
      </div>
      {confirming && (
        <DeleteDialog workspaceName={workspaceName} graceDays={graceDays} onClose={() => setConfirming(false)} />
      )}
    </section>
  );
}

function DeleteDialog({
  workspaceName,
  graceDays,
  onClose,
}: {
  workspaceName: string;
  graceDays: number;
  onClose: () => void;
}) {
  const t = useTranslations("dataSection");
  const ref = useRef<HTMLDialogElement>(null);
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const matches = typed.trim() === workspaceName.trim();

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/customers/me", { method: "DELETE" });
      if (res.status !== 202) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        setError(body.error?.message ?? t("deleteFailed"));
        setBusy(false);
        return;
      }
      // The session is revoked with the workspace: a full navigation, not a client one.
      window.location.assign("/login?deleted=1");
    } catch {
      setError(t("networkError"));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby="delete-workspace-title"
      aria-describedby="delete-workspace-description"
      onClose={onClose}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      <h2 id="delete-workspace-title" className="text-lg font-semibold">
        {t("dialogTitle")}
      </h2>
      <div id="delete-workspace-description" className="mt-2 space-y-2 text-sm text-slate-700">
        <p>{t("dialogNow")}</p>
        <p>{t("dialogGrace", { days: graceDays })}</p>
        <p>{t("dialogExport")}</p>
      </div>
      <form
        className="mt-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (matches && !busy) void remove();
        }}
      >
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
          {t("confirmLabel", { name: workspaceName })}
        </label>
        <input
          id={inputId}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
        />
        {error && (
          <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        <div className="mt-6 flex flex-wrap justify-end gap-3">
          <Button type="button" variant="secondary" onClick={() => ref.current?.close()}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={!matches || busy} className="bg-red-700 hover:bg-red-800">
            {busy ? t("deleting") : t("confirmButton")}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
