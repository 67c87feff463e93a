import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("logInTitle") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const t = await getTranslations("auth");
  const { deleted } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">{t("logInTitle")}</h1>
      {deleted === "1" && (
        <p role="status" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {t("deletedNotice")}
        </p>
      )}
      <Suspense>
        <AuthForm mode="login" />
      </Suspense>
    </>
  );
}
