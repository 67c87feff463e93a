import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("notFound");
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center px-6 text-center">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="mt-2 text-slate-700">{t("text")}</p>
      <Link href="/dashboard" className="mt-6 rounded-md bg-brand-700 px-4 py-2 font-medium text-white">
        {t("back")}
      </Link>
    </main>
  );
}
