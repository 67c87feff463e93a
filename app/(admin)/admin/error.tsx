"use client";

import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";

/** A page of the console failed to load (the database is down, a query failed): say so, offer a retry. */
export default function AdminError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("admin.error");
  return (
    <section aria-labelledby="admin-error-heading" className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm">
      <h1 id="admin-error-heading" className="text-xl font-semibold text-red-900">
        {t("title")}
      </h1>
      <p className="mt-2 text-red-900">
        {error.digest
          ? t.rich("textWithReference", { digest: error.digest, code: (chunks) => <code>{chunks}</code> })
          : t("text")}
      </p>
      <Button type="button" className="mt-4" onClick={reset}>
        {t("retry")}
      </Button>
    </section>
  );
}
