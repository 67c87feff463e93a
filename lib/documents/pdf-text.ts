import "server-only";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { MAX_PDF_PAGES, MAX_PDF_TEXT_CHARS } from "./limits";
import { type ReaderHandle, startReader } from "./pdf-readers";

/**
 * Reading untrusted PDFs, in isolation and with limits. pdf.js (unpdf) runs in a child
 * process (lib/documents/pdf-worker.mjs), one per PDF, never in the server's own process:
 * a one-page PDF whose 1 MB content stream inflates to 400 MB of text operators kept the
 * server's event loop busy for minutes and its memory at 4 GB.
 *
 * Why a child process rather than a worker thread: a worker's `resourceLimits` cap only
 * its V8 heap, while pdf.js holds inflated streams in typed arrays (outside the heap),
 * so a bomb would still grow the server's own memory; and a worker shares the process,
 * so its memory is the server's. A child has its own address space, a heap cap
 * (--max-old-space-size), a resident-memory cap its watchdog thread enforces, no
 * secrets (an empty environment), a lower CPU priority, and SIGKILL ends it wherever
 * it is. Its cost, ~0.1 s to start Node and load pdf.js, is small beside a parse.
 *
 * Budgets (lib/config.ts, measured in docs/architecture.md "Security"): resident memory
 * (PDF_MEMORY_LIMIT_MB), time to open the file or read any one page (PDF_PAGE_TIMEOUT_MS),
 * time for the whole document (PDF_DOCUMENT_TIMEOUT_MS), extracted text
 * (MAX_PDF_TEXT_CHARS); at most PDF_MAX_PARALLEL readers run at once per process for
 * ingestion, and as many for page counts at upload.
 * Every limit ends in a PdfReadError whose message a tenant can act on.
 */
export class PdfReadError extends Error {
  override name = "PdfReadError";
  constructor(
    readonly reason: "password_protected" | "unreadable" | "limit",
    message: string,
  ) {
    super(message);
  }
}

export const PASSWORD_PROTECTED =
  "This PDF is password protected. Remove the password (print or export it to a new PDF) and upload it again.";
export const NOT_READABLE =
  "This file is not a readable PDF (it may be damaged or incomplete). Export it again from the original and re-upload.";
const EXPORT_AGAIN =
  'Export it again from the original (for example with "print to PDF") or split it, and upload it again.';

const memoryMessage = (mb: number, page: number | null) =>
  `This PDF expands to more than ${mb} MB of content when read${page ? ` (page ${page})` : ""}, more than can be processed for one document. ${EXPORT_AGAIN}`;
const pageTimeMessage = (seconds: number, page: number | null) =>
  page
    ? `Reading page ${page} of this PDF took longer than ${seconds} s, the limit for one page: the page is too complex to read. ${EXPORT_AGAIN}`
    : `Opening this PDF took longer than ${seconds} s: its structure is too complex to read. ${EXPORT_AGAIN}`;
const documentTimeMessage = (seconds: number, done: number, total: number) =>
  `Reading this PDF took longer than ${seconds} s, the limit for one document (${done} of ${total} pages read). Split it into smaller files and upload them again.`;
const textMessage = (page: number) =>
  `This PDF holds more than ${(MAX_PDF_TEXT_CHARS / 1_000_000).toLocaleString("en")} million characters of text (reached on page ${page}), more than can be processed for one document. Split it into smaller files and upload them again.`;

function readerStopped(exit: number | string | null, stderr: string): Error {
  log.error({ exit, stderr: stderr.trim().slice(-1000) }, "the PDF reader stopped unexpectedly");
  return new Error(`The PDF reader stopped unexpectedly (exit ${exit}).`);
}

export type PdfEvent = { type: "opened"; pages: number } | { type: "page"; page: number; text: string };

/** Opens the PDF in a reader process just far enough to count its pages. */
export async function countPdfPages(bytes: Uint8Array): Promise<number> {
  for await (const event of readPdf(bytes, "count")) {
    if (event.type === "opened") return event.pages;
  }
  throw new PdfReadError("unreadable", NOT_READABLE);
}

/**
 * Reads the PDF's text page by page in a reader process: first `opened` with the page
 * count, then one `page` event per page (at most MAX_PDF_PAGES). Aborting the signal,
 * or leaving the loop early, kills the reader.
 */
export function readPdfPages(bytes: Uint8Array, signal?: AbortSignal): AsyncGenerator<PdfEvent> {
  return readPdf(bytes, "text", signal);
}

type WorkerMessage =
  | PdfEvent
  | { type: "done" }
  | { type: "error"; reason: "password_protected" | "unreadable" | "page_unreadable" | "too_much_text"; page?: number };

async function* readPdf(bytes: Uint8Array, mode: "count" | "text", signal?: AbortSignal): AsyncGenerator<PdfEvent> {
  const limits = config();
  // Page counts at upload have readers of their own: an upload never waits behind ingestion.
  const release = await readerSlot(mode, limits.PDF_MAX_PARALLEL, signal);
  const memoryMb = limits.PDF_MEMORY_LIMIT_MB;
  let child: ReaderHandle | null = null;
  let closed = false;
  const queue: (WorkerMessage | Error)[] = [];
  let wake: (() => void) | null = null;
  const push = (item: WorkerMessage | Error) => {
    queue.push(item);
    wake?.();
  };
  let pageTimer: NodeJS.Timeout | undefined;
  let documentTimer: NodeJS.Timeout | undefined;
  let total = 0;
  let done = 0;
  let finished = false;
  const fail = (err: Error) => {
    if (finished) return;
    finished = true;
    child?.kill();
    push(err);
  };
  const armPageTimer = () => {
    clearTimeout(pageTimer);
    pageTimer = setTimeout(() => {
      const page = total > 0 ? done + 1 : null;
      fail(new PdfReadError("limit", pageTimeMessage(limits.PDF_PAGE_TIMEOUT_MS / 1000, page)));
    }, limits.PDF_PAGE_TIMEOUT_MS);
  };
  const onAbort = () => fail(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  try {
    signal?.throwIfAborted();
    // Started by the launcher (lib/documents/pdf-readers.ts), never forked from the server.
    child = startReader<WorkerMessage>(
      [`--max-old-space-size=${memoryMb}`, "--disallow-code-generation-from-strings"],
      {
        // A copy: the transfer must not detach the caller's buffer.
        bytes: new Uint8Array(bytes),
        mode,
        memoryMb,
        maxPages: MAX_PDF_PAGES,
        maxTextChars: MAX_PDF_TEXT_CHARS,
      },
      {
        onMessage: (message) => {
          if (finished) return;
          if (message.type === "opened") {
            total = message.pages;
            armPageTimer();
          } else if (message.type === "page") {
            done = message.page;
            armPageTimer();
          } else if (message.type === "done" || message.type === "error") {
            finished = true;
            clearTimeout(pageTimer);
          }
          push(message);
        },
        // What went wrong goes to the log; the document's error (shown to the tenant) stays plain.
        onError: (why) => {
          log.error({ why }, "the PDF reader could not be started");
          fail(new Error("The PDF reader could not be started on the server."));
        },
        onClose: (code, sig, stderr) => {
          closed = true;
          if (finished) return;
          // Killed by its watchdog (resident memory), or out of heap, or by the kernel's OOM killer.
          const outOfMemory =
            /pdf-worker-limit: memory|heap out of memory|Reached heap limit/i.test(stderr) ||
            sig === "SIGKILL" ||
            sig === "SIGABRT" ||
            code === 134;
          fail(
            outOfMemory
              ? new PdfReadError("limit", memoryMessage(memoryMb, total > 0 ? done + 1 : null))
              : readerStopped(code ?? sig, stderr),
          );
        },
      },
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    armPageTimer();
    documentTimer = setTimeout(
      () =>
        fail(
          new PdfReadError(
            "limit",
            total > 0 && mode === "text"
              ? documentTimeMessage(limits.PDF_DOCUMENT_TIMEOUT_MS / 1000, done, total)
              : pageTimeMessage(limits.PDF_DOCUMENT_TIMEOUT_MS / 1000, null),
          ),
        ),
      limits.PDF_DOCUMENT_TIMEOUT_MS,
    );

    for (;;) {
      const item = queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      if (item instanceof Error) throw item;
      if (item.type === "done") return;
      if (item.type === "error") throw readerError(item);
      yield item;
    }
  } finally {
    finished = true;
    clearTimeout(pageTimer);
    clearTimeout(documentTimer);
    signal?.removeEventListener("abort", onAbort);
    if (child && !closed) child.kill();
    release();
  }
}

function readerError(message: Extract<WorkerMessage, { type: "error" }>): PdfReadError {
  switch (message.reason) {
    case "password_protected":
      return new PdfReadError("password_protected", PASSWORD_PROTECTED);
    case "too_much_text":
      return new PdfReadError("limit", textMessage(message.page ?? 0));
    case "page_unreadable":
      return new PdfReadError(
        "unreadable",
        `Page ${message.page} of this PDF could not be read (the file may be damaged). ${EXPORT_AGAIN}`,
      );
    default:
      return new PdfReadError("unreadable", NOT_READABLE);
  }
}

// At most PDF_MAX_PARALLEL readers of each kind per process, shared by every bundle that
// loads this module (Next.js's and dist/server.mjs's copies live in one process).
const slotsKey = Symbol.for("pdf-answers.pdf-reader-slots");
type Slots = { busy: number; waiting: (() => void)[] };
type G = typeof globalThis & { [slotsKey]?: Record<string, Slots> };

async function readerSlot(kind: string, max: number, signal?: AbortSignal): Promise<() => void> {
  const g = globalThis as G;
  g[slotsKey] ??= {};
  g[slotsKey][kind] ??= { busy: 0, waiting: [] };
  const slots = g[slotsKey][kind];
  signal?.throwIfAborted();
  while (slots.busy >= max) {
    await new Promise<void>((resolve) => slots.waiting.push(resolve));
    if (signal?.aborted) {
      slots.waiting.shift()?.(); // the wake-up was ours: pass it on
      signal.throwIfAborted();
    }
  }
  slots.busy++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    slots.busy--;
    slots.waiting.shift()?.();
  };
}
