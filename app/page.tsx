import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { LocaleSwitcher } from "@/components/locale-switcher";

export default async function LandingPage() {
  const t = await getTranslations("landing");
  return (
    <main className="mx-auto flex min-h-screen max-w-5xl flex-col px-6">
      <header className="flex items-center justify-between py-6">
        <span className="text-lg font-semibold text-brand-800">PDF Answers</span>
        <nav className="flex items-center gap-3 text-sm">
          <LocaleSwitcher />
          <Link href="/login" className="rounded-md px-3 py-2 font-medium text-slate-700 hover:bg-slate-100">
            {t("logIn")}
          </Link>
          <Link href="/signup" className="rounded-md bg-brand-700 px-3 py-2 font-medium text-white hover:bg-brand-800">
            {t("startFree")}
          </Link>
        </nav>
      </header>
      <section className="flex flex-1 flex-col justify-center py-16">
        <h1 className="max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">{t("headline")}</h1>
        <p className="mt-6 max-w-2xl text-lg text-slate-700">{t("intro")}</p>
        <div className="mt-10 flex flex-wrap gap-3">
          <Link href="/signup" className="rounded-md bg-brand-700 px-5 py-3 font-medium text-white hover:bg-brand-800">
            {t("createWorkspace")}
          </Link>
          <Link
            href="/login"
            className="rounded-md border border-slate-300 bg-white px-5 py-3 font-medium text-slate-800 hover:bg-slate-100"
          >
            {t("haveAccount")}
          </Link>
        </div>
        <ul className="mt-16 grid gap-6 sm:grid-cols-3">
          {(["grounded", "instant", "honest"] as const)
            .map((k) => [t(`${k}Title`), t(`${k}Text`)])
            .map(([title, text]) => (
              <li key={title} className="rounded-lg border border-slate-200 bg-white p-5">
                <h2 className="font-semibold">{title}</h2>
                <p className="mt-2 text-sm text-slate-700">{text}</p>
              </li>
            ))}
        </ul>
      </section>
    </main>
  );
}
