"use client";

import { useFormatter, useTranslations } from "next-intl";
import { type DragEvent, useEffect, useState } from "react";
import { formatBytes, MAX_MB, MAX_PAGES, PROGRESS_CLASS } from "./document-helpers";

export interface UploadItem {
  key: string;
  file: File;
  state: "queued" | "uploading" | "checking" | "error";
  loaded: number;
  message?: string;
  /** A network failure: the same file can simply be sent again. */
  retry?: boolean;
}

const hasFiles = (e: { dataTransfer: DataTransfer | null }) => Boolean(e.dataTransfer?.types.includes("Files"));

/**
 * The file picker (a real, labelled file input, keyboard operable) inside a drop zone,
 * and the uploads in flight with their byte progress and any refusal in plain words.
 */
export function UploadZone({
  uploads,
  onFiles,
  onCancel,
  onRetry,
  onDismiss,
}: {
  uploads: UploadItem[];
  onFiles: (files: File[]) => void;
  onCancel: (key: string) => void;
  onRetry: (key: string) => void;
  onDismiss: (key: string) => void;
}) {
  const t = useTranslations("documents");
  const [dragging, setDragging] = useState(false);

  // A file dropped next to the zone must not make the browser leave the page to show it.
  useEffect(() => {
    const stop = (e: globalThis.DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    window.addEventListener("dragover", stop);
    window.addEventListener("drop", stop);
    return () => {
      window.removeEventListener("dragover", stop);
      window.removeEventListener("drop", stop);
    };
  }, []);

  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    onFiles(Array.from(e.dataTransfer.files));
  };

  return (
    <section aria-labelledby="upload-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="upload-heading" className="text-lg font-semibold">
        {t("uploadHeading")}
      </h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target is a mouse shortcut; the labelled file input inside it is the accessible way in. */}
      <div
        onDragOver={onDragOver}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
        data-testid="drop-zone"
        className={`mt-3 flex flex-col items-center gap-3 rounded-lg border-2 border-dashed px-4 py-8 text-center ${
          dragging ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-slate-50"
        }`}
      >
        <p className="text-sm text-slate-700">{dragging ? t("dropToUpload") : t("dragHere")}</p>
        <input
          id="pdf-files"
          type="file"
          accept="application/pdf,.pdf"
          multiple
          aria-describedby="pdf-files-help"
          className="peer sr-only"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = ""; // the same file can be chosen again later
            if (files.length > 0) onFiles(files);
          }}
        />
        <label
          htmlFor="pdf-files"
          className="cursor-pointer rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600"
        >
          {t("chooseFiles")}
        </label>
        <p id="pdf-files-help" className="text-xs text-slate-600">
          {t("uploadHelp", { maxMb: MAX_MB, maxPages: MAX_PAGES })}
        </p>
      </div>

      {uploads.length > 0 && (
        <ul aria-label={t("uploadsLabel")} className="mt-4 space-y-3">
          {uploads.map((u) => (
            <UploadRow key={u.key} item={u} onCancel={onCancel} onRetry={onRetry} onDismiss={onDismiss} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadRow({
  item,
  onCancel,
  onRetry,
  onDismiss,
}: {
  item: UploadItem;
  onCancel: (key: string) => void;
  onRetry: (key: string) => void;
  onDismiss: (key: string) => void;
}) {
  const t = useTranslations("documents");
  const format = useFormatter();
  const { file } = item;
  const percent = file.size > 0 ? Math.min(100, Math.round((item.loaded / file.size) * 100)) : 0;
  const labelId = `upload-${item.key}`;
  const small =
    "rounded-md border border-slate-300 bg-white px-3 py-1 text-xs font-medium text-slate-800 hover:bg-slate-100";
  return (
    <li
      className={`rounded-md border p-3 text-sm ${item.state === "error" ? "border-red-200 bg-red-50" : "border-slate-200"}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="min-w-0 break-all font-medium">
          {file.name} <span className="font-normal text-slate-600">({formatBytes(file.size, t, format)})</span>
        </p>
        {item.state === "error" ? (
          <div className="flex gap-2">
            {item.retry && (
              <button type="button" className={small} onClick={() => onRetry(item.key)}>
                {t("retry")}
                <span className="sr-only"> {file.name}</span>
              </button>
            )}
            <button type="button" className={small} onClick={() => onDismiss(item.key)}>
              {t("dismiss")}
              <span className="sr-only"> {file.name}</span>
            </button>
          </div>
        ) : item.state === "checking" ? null : (
          // Once every byte is sent the server may already have accepted the file: no cancel then.
          <button type="button" className={small} onClick={() => onCancel(item.key)}>
            {t("cancel")}
            <span className="sr-only"> {t("uploadOf", { name: file.name })}</span>
          </button>
        )}
      </div>
      {item.state === "error" ? (
        <p role="alert" className="mt-1 text-red-800">
          {item.message}
        </p>
      ) : (
        <div className="mt-2">
          <p id={labelId} className="text-slate-700">
            {item.state === "queued"
              ? t("waitingToUpload", { name: file.name })
              : item.state === "checking"
                ? t("checking", { name: file.name })
                : t("uploading", { name: file.name, percent })}
          </p>
          <progress aria-labelledby={labelId} max={file.size || 1} value={item.loaded} className={PROGRESS_CLASS} />
        </div>
      )}
    </li>
  );
}
