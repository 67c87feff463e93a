/**
 * Starts the PDF readers (lib/documents/pdf-worker.mjs) on the server's behalf.
 *
 * Why a process between the server and its readers: starting a child means fork(), and
 * fork() copies the parent's page tables while the parent waits. The server is large (the
 * embedded PGlite database alone is over a gigabyte), so each reader started from it froze
 * the server for 0.1 s on an idle machine and close to a second on a busy one, and left it
 * slower for a while after (every page it touched again faulted once). This launcher is
 * started once, while the server is still small, and stays small: a reader forked from it
 * costs a few milliseconds and nothing of the server's.
 *
 * Plain JavaScript for the same reason as the reader (it is found from the working
 * directory at run time, whatever bundle the server runs as).
 *
 * Protocol (IPC, "advanced" serialization), from the server:
 *   { type: "start", id, script, execArgv, request }: fork a reader and send it `request`
 *   (with parentPid set to this process, which its watchdog checks);
 *   { type: "kill", id }: SIGKILL that reader.
 * To the server: { type: "message", id, message } for each reader message,
 *   { type: "error", id, message } when a reader cannot be started,
 *   { type: "close", id, code, signal, stderr } when a reader has ended.
 * When the server goes away (the IPC channel closes), every reader is killed and this exits.
 */
import { fork } from "node:child_process";
import os from "node:os";

const readers = new Map();

function tell(message) {
  if (process.connected) process.send(message, (err) => err && shutdown());
}

function shutdown() {
  for (const child of readers.values()) child.kill("SIGKILL");
  process.exit(0);
}

process.on("message", (m) => {
  if (m.type === "kill") {
    readers.get(m.id)?.kill("SIGKILL");
    return;
  }
  if (m.type !== "start") return;
  let child;
  try {
    child = fork(m.script, [], {
      // Nothing of the server's: no environment (secrets), no loader flags.
      execArgv: m.execArgv,
      env: {},
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
  } catch (err) {
    tell({ type: "error", id: m.id, message: String(err?.message ?? err) });
    return;
  }
  readers.set(m.id, child);
  try {
    // Background work: the server's requests come first on a busy machine.
    if (child.pid) os.setPriority(child.pid, 10);
  } catch {
    // not permitted here: the budgets still hold
  }
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + d.toString("utf8")).slice(-4000);
  });
  child.on("message", (message) => tell({ type: "message", id: m.id, message }));
  child.on("error", (err) => tell({ type: "error", id: m.id, message: String(err?.message ?? err) }));
  child.on("close", (code, signal) => {
    readers.delete(m.id);
    tell({ type: "close", id: m.id, code, signal, stderr });
  });
  child.send({ ...m.request, parentPid: process.pid }, () => {});
});

process.on("disconnect", shutdown);
