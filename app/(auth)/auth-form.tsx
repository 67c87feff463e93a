"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";

interface ApiError {
  error?: { message?: string; details?: { path: string; message: string }[] };
}

/** Sign-up and log-in form; talks to the same public API as every other client. */
export function AuthForm({ mode }: { mode: "signup" | "login" }) {
  const router = useRouter();
  const search = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    const body = Object.fromEntries(new FormData(event.currentTarget).entries());
    try {
      const res = await fetch(`/api/v1/auth/${mode}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        const data = (await res.json().catch(() => ({}))) as ApiError;
        setError(data.error?.message ?? "Something went wrong. Please try again.");
        setFieldErrors(Object.fromEntries((data.error?.details ?? []).map((d) => [d.path, d.message])));
        return;
      }
      const next = search.get("next");
      router.push(next?.startsWith("/") && !next.startsWith("//") ? next : "/dashboard");
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    } finally {
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
        className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900"
      />
      {(fieldErrors[name] || hint) && (
        <p id={`${name}-hint`} className={`mt-1 text-xs ${fieldErrors[name] ? "text-red-700" : "text-slate-600"}`}>
          {fieldErrors[name] ? `${label} ${fieldErrors[name]}` : hint}
        </p>
      )}
    </div>
  );

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
      {mode === "signup" && field("company_name", "Company name", "text", "organization")}
      {field("email", "Email", "email", "email")}
      {field(
        "password",
        "Password",
        "password",
        mode === "signup" ? "new-password" : "current-password",
        mode === "signup" ? "At least 10 characters." : undefined,
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? "Please wait…" : mode === "signup" ? "Create workspace" : "Log in"}
      </Button>
      <p className="text-center text-sm text-slate-700">
        {mode === "signup" ? (
          <>
            Already have an account?{" "}
            <Link href="/login" className="font-medium text-brand-700 underline">
              Log in
            </Link>
          </>
        ) : (
          <>
            New here?{" "}
            <Link href="/signup" className="font-medium text-brand-700 underline">
              Create a workspace
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
