import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("signUpTitle") };
}

export default async function SignupPage() {
  const t = await getTranslations("auth");
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">{t("signUpTitle")}</h1>
      <p className="mb-6 text-sm text-slate-700">{t("freePlan")}</p>
      <Suspense>
        <AuthForm mode="signup" />
      </Suspense>
    </>
  );
}
