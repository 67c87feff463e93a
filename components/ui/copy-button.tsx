"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";

type State = "idle" | "copied" | "failed";

/**
 * Copies `value` to the clipboard and says so, for people and screen readers. The
 * accessible name starts with the visible text ("Copy Webhook URL"), so voice control
 * users can say what they see; the outcome is announced through a status region.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const t = useTranslations("ui");
  const [state, setState] = useState<State>("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setState("copied");
          } catch {
            setState("failed");
          }
        }}
        className="shrink-0 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-xs font-medium text-slate-800 hover:bg-slate-100"
      >
        {state === "copied" ? t("copied") : t("copy")}
        <span className="sr-only"> {label}</span>
      </button>
      <span role="status" className="sr-only">
        {state === "copied" ? t("copiedStatus", { label }) : state === "failed" ? t("copyFailed", { label }) : ""}
      </span>
    </>
  );
}
