"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";

type Problem = "required" | "invalidEmail" | "passwordTooShort";

/** The same rules the API applies, checked first so mistakes are explained without a round trip. */
function checkFields(mode: "signup" | "login", body: Record<string, string>): Record<string, Problem> {
  const problems: Record<string, Problem> = {};
  if (mode === "signup" && !body.company_name?.trim()) problems.company_name = "required";
  const email = body.email?.trim() ?? "";
  if (!email) problems.email = "required";
  else if (mode === "signup" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.email = "invalidEmail";
  const password = body.password ?? "";
  if (!password) problems.password = "required";
  else if (mode === "signup" && password.length < 10) problems.password = "passwordTooShort";
  return problems;
}

interface ApiError {
  error?: { code?: string; message?: string; details?: { path: string; message: string }[] };
}

/** Sign-up and log-in form; talks to the same public API as every other client. */
export function AuthForm({ mode }: { mode: "signup" | "login" }) {
  const t = useTranslations("auth");
  const router = useRouter();
  const search = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  /** Field names in on-screen order, to focus the first one with a problem. */
  const fieldOrder = mode === "signup" ? ["company_name", "email", "password"] : ["email", "password"];
  const labels: Record<string, string> = {
    company_name: t("companyName"),
    email: t("email"),
    password: t("password"),
  };

  /** Moves focus to the first field with a problem (or keeps it on the password after a refusal). */
  function focusField(form: HTMLFormElement, name: string | undefined) {
    if (!name) return;
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement) input.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = Object.fromEntries(
      Array.from(new FormData(form).entries()).map(([k, v]) => [k, typeof v === "string" ? v : ""]),
    );
    const problems = checkFields(mode, body);
    setError(null);
    setFieldErrors(
      Object.fromEntries(Object.entries(problems).map(([name, p]) => [name, t(p, { field: labels[name] ?? name })])),
    );
    if (Object.keys(problems).length > 0) {
      setError(t("fixFields"));
      focusField(
        form,
        fieldOrder.find((name) => problems[name]),
      );
      return;
    }
    setBusy(true);
    try {
      const res = await fetch(`/api/v1/auth/${mode}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        const data = (await res.json().catch(() => ({}))) as ApiError;
        const details = Object.fromEntries(
          (data.error?.details ?? []).map((d) => [
            d.path,
            // The API's reason for a common password, in the page's language.
            d.path === "password" && d.message.startsWith("is too common")
              ? t("passwordTooCommon", { field: t("password") })
              : `${labels[d.path] ?? d.path} ${d.message}`,
          ]),
        );
        const code = data.error?.code;
        setError(
          code === "invalid_credentials"
            ? t("invalidCredentials")
            : code === "conflict"
              ? t("emailTaken")
              : code === "rate_limited"
                ? t("rateLimited")
                : (data.error?.message ?? t("genericError")),
        );
        setFieldErrors(details);
        setBusy(false);
        focusField(form, fieldOrder.find((name) => details[name]) ?? (res.status === 401 ? "password" : undefined));
        return;
      }
      const next = search.get("next");
      router.push(next?.startsWith("/") && !next.startsWith("//") ? next : "/dashboard");
      router.refresh();
    } catch {
      setError(t("networkError"));
      setBusy(false);
    }
  }

  const field = (name: string, label: string, type: string, autoComplete: string, hint?: string) => (
    <div>
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={name}
        name={name}
        type={type}
        required
        autoComplete={autoComplete}
        minLength={type === "password" && mode === "signup" ? 10 : undefined}
        aria-invalid={fieldErrors[name] ? true : undefined}
        aria-describedby={fieldErrors[name] || hint ? `${name}-hint` : undefined}
        className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 aria-invalid:border-red-600"
      />
      {(fieldErrors[name] || hint) && (
        <p id={`${name}-hint`} className={`mt-1 text-xs ${fieldErrors[name] ? "text-red-700" : "text-slate-600"}`}>
          {fieldErrors[name] ?? hint}
        </p>
      )}
    </div>
  );

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {mode === "signup" && field("company_name", t("companyName"), "text", "organization")}
      {field("email", t("email"), "email", "email")}
      {field(
        "password",
        t("password"),
        "password",
        mode === "signup" ? "new-password" : "current-password",
        mode === "signup" ? t("passwordHint") : undefined,
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? t("wait") : mode === "signup" ? t("submitSignUp") : t("submitLogIn")}
      </Button>
      <p className="text-center text-sm text-slate-700">
        {mode === "signup" ? (
          <>
            {t("haveAccount")}{" "}
            <Link href="/login" className="font-medium text-brand-700 underline">
              {t("logInLink")}
            </Link>
          </>
        ) : (
          <>
            {t("newHere")}{" "}
            <Link href="/signup" className="font-medium text-brand-700 underline">
              {t("signUpLink")}
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
