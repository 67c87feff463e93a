"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { DeleteDialog } from "./delete-dialog";
import {
  apiErrorMessage,
  type Doc,
  type DocumentsT,
  type Formatter,
  isActive,
  MAX_MB,
  megabytes,
} from "./document-helpers";
import { DocumentList } from "./document-list";
import { type UploadItem, UploadZone } from "./upload-zone";

/** Uploads running at the same time; the rest wait their turn. */
const PARALLEL = 2;
const POLL_MS = 1000;

type UploadResult = { ok: true; document: Doc } | { ok: false; message: string; retry?: boolean } | { aborted: true };

/**
 * POSTs one file as multipart with XMLHttpRequest, the only browser API that reports
 * upload progress. Same origin, so the session cookie authenticates it.
 */
function sendFile(
  file: File,
  t: DocumentsT,
  onProgress: (fraction: number) => void,
  register: (xhr: XMLHttpRequest) => void,
) {
  return new Promise<UploadResult>((resolve) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open("POST", "/api/v1/documents/upload");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { document?: Doc } | null;
      if (xhr.status === 202 && body?.document) resolve({ ok: true, document: body.document });
      else resolve({ ok: false, message: apiErrorMessage(xhr.status, body, t), retry: xhr.status >= 500 });
    };
    xhr.onerror = () => resolve({ ok: false, message: t("errors.network"), retry: true });
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => resolve({ aborted: true });
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

/** Refusals that need no round trip (the server checks them again). */
function checkLocally(file: File, t: DocumentsT, format: Formatter): string | null {
  const looksPdf = file.type === "application/pdf" || /\.pdf$/i.test(file.name);
  if (!looksPdf) return t("notPdfLocal", { name: file.name });
  if (file.size === 0) return t("emptyFile");
  if (file.size > MAX_MB * 1024 * 1024) {
    return t("tooLargeLocal", { size: megabytes(file.size, format), maxMb: MAX_MB });
  }
  return null;
}

export function DocumentsManager({ initial, nextCursor }: { initial: Doc[]; nextCursor: string | null }) {
  const t = useTranslations("documents");
  const format = useFormatter();
  const [docs, setDocs] = useState<Doc[]>(initial);
  const [cursor, setCursor] = useState(nextCursor);
  const [loadingMore, setLoadingMore] = useState(false);
  const [uploads, setUploads] = useState<UploadItem[]>([]);
  const [toDelete, setToDelete] = useState<Doc | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [pollRound, setPollRound] = useState(0);

  const waiting = useRef<UploadItem[]>([]);
  const running = useRef(0);
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const nextKey = useRef(0);
  const focusHeading = useRef(false);

  const patchUpload = useCallback((key: string, patch: Partial<UploadItem>) => {
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));
  }, []);

  /** Adds a document the server now knows (newest first), or refreshes one still listed. */
  const upsert = useCallback((doc: Doc, addIfMissing = true) => {
    setDocs((list) => {
      const at = list.findIndex((d) => d.id === doc.id);
      if (at === -1 && !addIfMissing) return list; // deleted meanwhile
      // A processed upload replaces older documents of the same name (API behaviour).
      const kept = list.filter((d) => d.id !== doc.id && !(doc.status === "processed" && d.filename === doc.filename));
      if (at === -1) return [doc, ...kept];
      kept.splice(Math.min(at, kept.length), 0, doc);
      return kept;
    });
  }, []);

  const pump = useCallback(() => {
    while (running.current < PARALLEL && waiting.current.length > 0) {
      const item = waiting.current.shift()!;
      running.current++;
      patchUpload(item.key, { state: "uploading", loaded: 0 });
      void sendFile(
        item.file,
        t,
        (fraction) =>
          patchUpload(item.key, {
            loaded: Math.round(fraction * item.file.size),
            state: fraction >= 1 ? "checking" : "uploading",
          }),
        (xhr) => requests.current.set(item.key, xhr),
      ).then((result) => {
        running.current--;
        requests.current.delete(item.key);
        if ("aborted" in result) {
          setUploads((list) => list.filter((u) => u.key !== item.key));
        } else if (result.ok) {
          setUploads((list) => list.filter((u) => u.key !== item.key));
          upsert(result.document);
          setAnnouncement(
            result.document.status === "failed"
              ? t("uploadedUnusable", {
                  name: item.file.name,
                  reason: result.document.error ?? t("couldNotBeRead"),
                })
              : t("uploadedReading", { name: item.file.name }),
          );
        } else {
          patchUpload(item.key, { state: "error", message: result.message, retry: result.retry });
        }
        pump();
      });
    }
  }, [patchUpload, upsert, t]);

  const addFiles = useCallback(
    (files: File[]) => {
      const items = files.map((file): UploadItem => {
        const key = String(nextKey.current++);
        const problem = checkLocally(file, t, format);
        return problem
          ? { key, file, state: "error", loaded: 0, message: problem }
          : { key, file, state: "queued", loaded: 0 };
      });
      setUploads((list) => [...list, ...items]);
      waiting.current.push(...items.filter((i) => i.state === "queued"));
      pump();
    },
    [pump, t, format],
  );

  const cancelUpload = (key: string) => {
    waiting.current = waiting.current.filter((i) => i.key !== key);
    const xhr = requests.current.get(key);
    if (xhr) xhr.abort();
    else setUploads((list) => list.filter((u) => u.key !== key));
  };
  const retryUpload = (key: string) => {
    const item = uploads.find((u) => u.key === key);
    if (!item) return;
    const again: UploadItem = { ...item, state: "queued", loaded: 0, message: undefined, retry: undefined };
    patchUpload(key, again);
    waiting.current.push(again);
    pump();
  };
  const dismissUpload = (key: string) => setUploads((list) => list.filter((u) => u.key !== key));

  // Abort uploads still running when the page goes away.
  useEffect(() => {
    const open = requests.current;
    return () => {
      for (const xhr of open.values()) xhr.abort();
    };
  }, []);

  // Live status: while any document is queued or being read, ask for it again every second.
  const activeIds = docs
    .filter(isActive)
    .map((d) => d.id)
    .join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: pollRound re-arms the timer after every round.
  useEffect(() => {
    if (!activeIds) return;
    let stopped = false;
    const timer = setTimeout(async () => {
      if (document.hidden) {
        setPollRound((n) => n + 1);
        return;
      }
      const fresh = await Promise.all(
        activeIds.split(",").map(async (id) => {
          try {
            const res = await fetch(`/api/v1/documents/${id}`, { cache: "no-store" });
            if (res.status === 404) return { id, gone: true as const };
            return res.ok ? ((await res.json()) as Doc) : null;
          } catch {
            return null; // offline for a moment: the next round asks again
          }
        }),
      );
      if (stopped) return;
      for (const doc of fresh) {
        if (!doc) continue;
        if ("gone" in doc) {
          setDocs((list) => list.filter((d) => d.id !== doc.id));
          continue;
        }
        upsert(doc, false);
        if (doc.status === "processed") {
          setAnnouncement(
            t("readyAnnouncement", { name: doc.filename, pages: doc.page_count ?? 0, passages: doc.chunk_count }),
          );
        } else if (doc.status === "failed") {
          setAnnouncement(t("failedAnnouncement", { name: doc.filename, reason: doc.error ?? t("couldNotBeRead") }));
        }
      }
      setPollRound((n) => n + 1);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [activeIds, pollRound, upsert, t]);

  // After a deletion the card (and its button) is gone: put the focus on the list heading.
  useEffect(() => {
    if (!focusHeading.current) return;
    focusHeading.current = false;
    document.getElementById("documents-heading")?.focus();
  });

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const res = await fetch(`/api/v1/documents?cursor=${encodeURIComponent(cursor)}`, { cache: "no-store" });
      if (res.ok) {
        const page = (await res.json()) as { items: Doc[]; next_cursor: string | null };
        setDocs((list) => [...list, ...page.items.filter((d) => !list.some((x) => x.id === d.id))]);
        setCursor(page.next_cursor);
      } else {
        setAnnouncement(apiErrorMessage(res.status, await res.json().catch(() => null), t));
      }
    } catch {
      setAnnouncement(t("errors.network"));
    }
    setLoadingMore(false);
  }

  return (
    <div className="space-y-6">
      <p role="status" className="sr-only">
        {announcement}
      </p>
      <UploadZone
        uploads={uploads}
        onFiles={addFiles}
        onCancel={cancelUpload}
        onRetry={retryUpload}
        onDismiss={dismissUpload}
      />
      <DocumentList
        docs={docs}
        onDelete={setToDelete}
        loadMore={cursor ? { onClick: loadMore, busy: loadingMore } : null}
      />
      {toDelete && (
        <DeleteDialog
          doc={toDelete}
          onClose={() => setToDelete(null)}
          onDeleted={(doc) => {
            setToDelete(null);
            setDocs((list) => list.filter((d) => d.id !== doc.id));
            setAnnouncement(t("deletedAnnouncement", { name: doc.filename }));
            focusHeading.current = true;
          }}
        />
      )}
    </div>
  );
}
