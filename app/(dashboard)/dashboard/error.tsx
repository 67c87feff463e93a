"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";

/** A dashboard page failed on the server: say so inside the dashboard, and offer a retry. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("dashboardError");
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="error-heading" className="rounded-lg border border-red-200 bg-white p-6">
      <h1 id="error-heading" ref={heading} tabIndex={-1} className="text-xl font-semibold text-slate-900">
        {t("title")}
      </h1>
      <p className="mt-2 text-sm text-slate-700">
        {t("text")}
        {error.digest && (
          <>
            {" "}
            {t.rich("reference", {
              digest: error.digest,
              code: (chunks) => <code className="font-mono">{chunks}</code>,
            })}
          </>
        )}
      </p>
      <Button type="button" className="mt-4" onClick={reset}>
        {t("retry")}
      </Button>
    </section>
  );
}
