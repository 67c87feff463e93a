import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("logInTitle") };
}

export default async function LoginPage() {
  const t = await getTranslations("auth");
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">{t("logInTitle")}</h1>
      <Suspense>
        <AuthForm mode="login" />
      </Suspense>
    </>
  );
}
