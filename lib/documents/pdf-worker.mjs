/**
 * The PDF reader's child process (lib/documents/pdf-text.ts asks lib/documents/pdf-launcher.mjs to start it, one per PDF).
 *
 * Plain JavaScript on purpose: the server runs as Next.js's Turbopack bundle, as the
 * esbuild bundle dist/server.mjs and under vitest/tsx, and none of them can hand a child
 * process a module of its own. This file is found from the working directory at run time
 * and imports `unpdf` from node_modules (next.config.ts traces both for serverless hosts).
 *
 * Protocol (IPC, "advanced" serialization): the parent sends one message
 * `{ bytes, mode: "count" | "text", memoryMb, parentPid, maxTextChars }`; the child answers
 * `{ type: "opened", pages }`, then in "text" mode `{ type: "page", page, text }` per page,
 * then `{ type: "done" }`; or `{ type: "error", reason, page? }` where reason is
 * "password_protected", "unreadable", "page_unreadable" or "too_much_text".
 *
 * A watchdog thread enforces what the busy main thread cannot: pdf.js parses a content
 * stream without yielding to the event loop, so timers and IPC events of this thread do
 * not run while it works. The watchdog kills this process (SIGKILL, after a line on
 * stderr the parent recognises) when its resident memory passes the cap, or when the
 * parent is gone (the server was killed: nobody would ever stop this process otherwise).
 */
import { Worker } from "node:worker_threads";

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const cap = workerData.memoryMb * 1024 * 1024;
setInterval(() => {
  const rss = process.memoryUsage.rss();
  let why = null;
  if (rss > cap) why = "memory " + Math.round(rss / 1048576);
  else if (process.ppid !== workerData.parentPid) why = "orphaned";
  if (why) {
    try { fs.writeSync(2, "pdf-worker-limit: " + why + "\\n"); } catch {}
    process.kill(process.pid, "SIGKILL");
  }
}, 25);
`;

function normaliseText(text) {
  return (
    text
      // PostgreSQL text refuses NUL; it and the other C0 controls (except tab and newlines)
      // carry nothing readable and stand between words where PDFs hold them.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, " ")
      // A lone UTF-16 surrogate cannot be stored as UTF-8.
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
      .replace(/\r\n?/g, "\n")
      .replace(/[ \t\u00a0]+/g, " ")
      .replace(/ *\n */g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/** The text of one page; paragraphs separated by a blank line. */
async function pageText(doc, pageNumber) {
  const page = await doc.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    let out = "";
    let lastY = null;
    let lastHeight = 0;
    for (const raw of content.items) {
      if (typeof raw.str !== "string") continue;
      const y = raw.transform?.[5] ?? null;
      const height = raw.height || lastHeight || 10;
      if (lastY !== null && y !== null && out && !out.endsWith("\n")) {
        // A new line that the item did not mark.
        if (Math.abs(lastY - y) > height * 0.5) out += "\n";
      }
      if (lastY !== null && y !== null && lastY - y > Math.max(height, lastHeight) * 1.8 && !out.endsWith("\n\n")) {
        out += out.endsWith("\n") ? "\n" : "\n\n";
      }
      out += raw.str;
      if (raw.hasEOL) out += "\n";
      if (y !== null) lastY = y;
      lastHeight = height;
    }
    return normaliseText(out);
  } finally {
    page.cleanup();
  }
}

const send = (message) => new Promise((resolve) => process.send(message, undefined, undefined, () => resolve()));

async function read(request) {
  const { getDocumentProxy } = await import("unpdf");
  let doc;
  try {
    // isEvalSupported: false — pdf.js never compiles code from a font (CVE-2024-4367).
    doc = await getDocumentProxy(request.bytes, { verbosity: 0, isEvalSupported: false });
  } catch (err) {
    return send({ type: "error", reason: err?.name === "PasswordException" ? "password_protected" : "unreadable" });
  }
  await send({ type: "opened", pages: doc.numPages });
  if (request.mode === "count") return send({ type: "done" });
  let chars = 0;
  for (let n = 1; n <= Math.min(doc.numPages, request.maxPages); n++) {
    let text;
    try {
      text = await pageText(doc, n);
    } catch {
      return send({ type: "error", reason: "page_unreadable", page: n });
    }
    chars += text.length;
    if (chars > request.maxTextChars) return send({ type: "error", reason: "too_much_text", page: n });
    await send({ type: "page", page: n, text });
  }
  return send({ type: "done" });
}

process.once("message", (request) => {
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { memoryMb: request.memoryMb, parentPid: request.parentPid },
  });
  watchdog.unref();
  read(request)
    .catch(() => send({ type: "error", reason: "unreadable" }))
    .finally(() => process.exit(0));
});
// The parent went away before or between messages (the busy case is the watchdog's).
process.on("disconnect", () => process.exit(0));
