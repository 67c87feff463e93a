import Link from "next/link";
import { useTranslations } from "next-intl";
import { LocaleSwitcher } from "./locale-switcher";
import { LogoutButton } from "./logout-button";

export function AppHeader({
  title,
  subtitle,
  links,
}: {
  title: string;
  subtitle?: string;
  links: { href: string; label: string }[];
}) {
  const t = useTranslations("common");
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="min-w-0">
          <Link href="/dashboard" className="text-sm font-semibold text-brand-800">
            {t("appName")}
          </Link>
          <p className="truncate text-base font-semibold text-slate-900" data-testid="workspace-name">
            {title}
          </p>
          {subtitle && <p className="text-xs text-slate-600">{subtitle}</p>}
        </div>
        <nav aria-label={t("mainNav")} className="flex flex-wrap items-center gap-1">
          {links.map((l) => (
            <Link
              key={l.href}
              href={l.href}
              className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
            >
              {l.label}
            </Link>
          ))}
          <LocaleSwitcher />
          <LogoutButton />
        </nav>
      </div>
    </header>
  );
}
