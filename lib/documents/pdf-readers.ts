import "server-only";
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { log } from "@/lib/log";

/**
 * The server's side of lib/documents/pdf-launcher.mjs: one small launcher process per
 * server process, started at boot (instrumentation.ts) before the server grows, forks the
 * PDF readers so the server itself never forks (see the launcher for why). Shared by every
 * bundle loaded in the process (Next.js's and dist/server.mjs's), hence globalThis.
 */
export interface ReaderHandle {
  kill(): void;
}

export interface ReaderEvents<M> {
  onMessage(message: M): void;
  onError(message: string): void;
  onClose(code: number | null, signal: string | null, stderr: string): void;
}

type LauncherMessage =
  | { type: "message"; id: string; message: unknown }
  | { type: "error"; id: string; message: string }
  | { type: "close"; id: string; code: number | null; signal: string | null; stderr: string };

interface Launcher {
  process: ChildProcess;
  readers: Map<string, ReaderEvents<unknown>>;
}

const key = Symbol.for("pdf-answers.pdf-launcher");
type G = typeof globalThis & { [key]?: Launcher };

/** The script files, found from the working directory (where every way of running the app starts). */
const script = (name: string) => path.join(process.cwd(), "lib", "documents", name);

/** Starts the launcher now, while the process is small (a no-op when it runs). */
export function startPdfLauncher(): void {
  launcher();
}

function launcher(): Launcher {
  const g = globalThis as G;
  const running = g[key];
  if (running && running.process.exitCode === null && running.process.signalCode === null && running.process.connected)
    return running;
  const child = fork(/* turbopackIgnore: true */ script("pdf-launcher.mjs"), [], {
    execArgv: [],
    env: {} as NodeJS.ProcessEnv,
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  // The launcher never keeps the server alive on its own.
  child.unref();
  child.channel?.unref();
  const launched: Launcher = { process: child, readers: new Map() };
  child.on("message", (m: LauncherMessage) => {
    const reader = launched.readers.get(m.id);
    if (!reader) return;
    if (m.type === "message") reader.onMessage(m.message);
    else if (m.type === "error") reader.onError(m.message);
    else {
      launched.readers.delete(m.id);
      reader.onClose(m.code, m.signal, m.stderr);
    }
  });
  const lost = (why: string) => {
    if (g[key] === launched) delete g[key];
    for (const [id, reader] of launched.readers) {
      launched.readers.delete(id);
      reader.onError(`the PDF launcher ${why}`);
    }
  };
  child.on("error", (err) => {
    log.error({ err }, "the PDF launcher could not be started");
    lost("could not be started");
  });
  child.on("exit", (code, signal) => {
    if (launched.readers.size > 0) log.error({ code, signal }, "the PDF launcher stopped");
    lost("stopped");
  });
  g[key] = launched;
  return launched;
}

/**
 * Starts one reader (lib/documents/pdf-worker.mjs) with these Node flags and sends it
 * `request`; its messages, a start failure and its end come back through `events`.
 */
export function startReader<M>(execArgv: string[], request: object, events: ReaderEvents<M>): ReaderHandle {
  const l = launcher();
  const id = randomUUID();
  l.readers.set(id, events as ReaderEvents<unknown>);
  // Referenced while a reader works, so a pending read keeps the process (and its IPC) alive.
  l.process.channel?.ref();
  const done = () => {
    if (l.readers.size === 0) l.process.channel?.unref();
  };
  const wrapped = l.readers.get(id) as ReaderEvents<unknown>;
  l.readers.set(id, {
    onMessage: (m) => wrapped.onMessage(m),
    onError: (m) => {
      l.readers.delete(id);
      done();
      wrapped.onError(m);
    },
    onClose: (code, signal, stderr) => {
      done();
      wrapped.onClose(code, signal, stderr);
    },
  });
  l.process.send({ type: "start", id, script: script("pdf-worker.mjs"), execArgv, request }, (err) => {
    if (err) l.readers.get(id)?.onError(`the PDF launcher did not take the request (${err.message})`);
  });
  return {
    kill: () => {
      if (l.readers.has(id) && l.process.connected) l.process.send({ type: "kill", id }, () => {});
    },
  };
}
