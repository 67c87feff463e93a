"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { apiErrorMessage, type Doc } from "./document-helpers";

/**
 * Confirmation before deleting (a native modal <dialog>: focus stays inside, Escape
 * cancels). Cancel has the focus first, so Enter never deletes by accident.
 */
export function DeleteDialog({
  doc,
  onClose,
  onDeleted,
}: {
  doc: Doc;
  onClose: () => void;
  onDeleted: (doc: Doc) => void;
}) {
  const t = useTranslations("documents");
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLButtonElement>("[data-initial-focus]")?.focus();
    return () => dialog.close();
  }, []);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/v1/documents/${doc.id}`, { method: "DELETE" });
      // 404: it is already gone (deleted elsewhere, or replaced by a newer upload).
      if (res.ok || res.status === 404) {
        onDeleted(doc);
        return;
      }
      setError(apiErrorMessage(res.status, await res.json().catch(() => null), t));
    } catch {
      setError(t("errors.network"));
    }
    setBusy(false);
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby="delete-title"
      aria-describedby="delete-description"
      onClose={onClose}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      <h2 id="delete-title" className="break-all text-lg font-semibold">
        {t("deleteTitle", { name: doc.filename })}
      </h2>
      <p id="delete-description" className="mt-2 text-sm text-slate-700">
        {t("deleteText")}
      </p>
      {error && (
        <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div className="mt-6 flex flex-wrap justify-end gap-3">
        <Button
          type="button"
          variant="secondary"
          data-initial-focus
          onClick={() => ref.current?.close()}
          disabled={busy}
        >
          {t("cancel")}
        </Button>
        <button
          type="button"
          onClick={remove}
          disabled={busy}
          className="inline-flex items-center justify-center rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:bg-slate-400"
        >
          {busy ? t("deleting") : t("delete")}
        </button>
      </div>
    </dialog>
  );
}
