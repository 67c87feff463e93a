"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * A button that asks the API for a Stripe page (POST /billing/checkout or /billing/portal,
 * answering `{url}`) and sends the browser there. While waiting it says so; a refusal
 * shows the API's own message next to the button and gives the focus back.
 */
export function StripeRedirectButton({
  endpoint,
  body,
  label,
  variant = "primary",
  className = "",
}: {
  endpoint: "/api/v1/billing/checkout" | "/api/v1/billing/portal";
  body?: Record<string, string>;
  label: string;
  variant?: "primary" | "secondary";
  className?: string;
}) {
  const t = useTranslations("payments");
  const errorId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function go() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
      const answer = (await res.json().catch(() => null)) as { url?: unknown; error?: { message?: unknown } } | null;
      if (res.ok && typeof answer?.url === "string" && /^https?:\/\//.test(answer.url)) {
        // Stripe's page is another site: a full navigation. The button stays busy meanwhile.
        window.location.assign(answer.url);
        return;
      }
      const message = answer?.error?.message;
      setError(typeof message === "string" && message ? message : t("failed"));
    } catch {
      setError(t("networkError"));
    }
    setBusy(false);
  }

  return (
    <div className={className}>
      <Button
        type="button"
        variant={variant}
        className="w-full aria-disabled:cursor-wait aria-disabled:opacity-80 sm:w-auto"
        // aria-disabled, not disabled: the button keeps the keyboard focus while it waits.
        aria-disabled={busy}
        aria-describedby={error ? errorId : undefined}
        onClick={() => {
          if (!busy) void go();
        }}
      >
        {busy ? t("redirecting") : label}
      </Button>
      {error && (
        <p id={errorId} role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}
