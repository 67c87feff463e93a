"use client";

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
        Upload PDFs
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
        <p className="text-sm text-slate-700">
          {dragging ? "Drop the files to upload them" : "Drag PDF files here, or"}
        </p>
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
          Choose PDF files
        </label>
        <p id="pdf-files-help" className="text-xs text-slate-600">
          PDF only, up to {MAX_MB} MB and {MAX_PAGES} pages each. You can pick several at once.
        </p>
      </div>

      {uploads.length > 0 && (
        <ul aria-label="Uploads" className="mt-4 space-y-3">
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
          {file.name} <span className="font-normal text-slate-600">({formatBytes(file.size)})</span>
        </p>
        {item.state === "error" ? (
          <div className="flex gap-2">
            {item.retry && (
              <button type="button" className={small} onClick={() => onRetry(item.key)}>
                Retry<span className="sr-only"> {file.name}</span>
              </button>
            )}
            <button type="button" className={small} onClick={() => onDismiss(item.key)}>
              Dismiss<span className="sr-only"> {file.name}</span>
            </button>
          </div>
        ) : item.state === "checking" ? null : (
          // Once every byte is sent the server may already have accepted the file: no cancel then.
          <button type="button" className={small} onClick={() => onCancel(item.key)}>
            Cancel<span className="sr-only"> upload of {file.name}</span>
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
              ? `Waiting to upload ${file.name}`
              : item.state === "checking"
                ? `Checking ${file.name}…`
                : `Uploading ${file.name}: ${percent}%`}
          </p>
          <progress aria-labelledby={labelId} max={file.size || 1} value={item.loaded} className={PROGRESS_CLASS} />
        </div>
      )}
    </li>
  );
}
