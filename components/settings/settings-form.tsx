"use client";

import { useTranslations } from "next-intl";
import { type FormEvent, type ReactNode, useState } from "react";
import { Button } from "@/components/ui/button";
import type { CustomerProfile } from "@/lib/tenants/customer-profile";

export type Profile = CustomerProfile;
/** API field path ("settings.ack_text") → message. */
export type FieldErrors = Record<string, string>;

/** The translator of the "settings" messages (useTranslations("settings")). */
export type SettingsT = ReturnType<typeof useTranslations<"settings">>;

export const INPUT_CLASS =
  "mt-1 block w-full min-w-0 rounded-md border px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500";
export const inputClass = (error?: string) =>
  `${INPUT_CLASS} ${error ? "border-red-600 bg-red-50/40" : "border-slate-300 bg-white"}`;

type FriendlyKey =
  | "wholeNumber"
  | "notEmpty"
  | "atLeastChars"
  | "atMostChars"
  | "atLeast"
  | "atMost"
  | "url"
  | "option";

/** zod's default messages → the "settings.errors.*" message that says it in plain words. */
const FRIENDLY: [RegExp, FriendlyKey, (m: RegExpExecArray) => Record<string, string | number>][] = [
  [/^Invalid input: expected (number|int)/, "wholeNumber", () => ({})],
  [/^Too small: expected string to have >=1 characters?$/, "notEmpty", () => ({})],
  [/^Too small: expected string to have >=(\d+) characters$/, "atLeastChars", (m) => ({ min: String(m[1]) })],
  [/^Too big: expected string to have <=(\d+) characters$/, "atMostChars", (m) => ({ max: Number(m[1]) })],
  [/^Too small: expected number to be >=(-?\d+)$/, "atLeast", (m) => ({ min: String(m[1]) })],
  [/^Too big: expected number to be <=(-?\d+)$/, "atMost", (m) => ({ max: String(m[1]) })],
  [/^Invalid (URL|url)/, "url", () => ({})],
  [/^Invalid option/, "option", () => ({})],
];

/** The English words, for callers without a translator (the same as the English messages). */
const ENGLISH: Record<FriendlyKey, (p: Record<string, string | number>) => string> = {
  wholeNumber: () => "Enter a whole number.",
  notEmpty: () => "This cannot be empty.",
  atLeastChars: (p) => `Use at least ${p.min} characters.`,
  atMostChars: (p) => `Use at most ${Number(p.max).toLocaleString("en")} characters.`,
  atLeast: (p) => `Use ${p.min} or more.`,
  atMost: (p) => `Use ${p.max} or less.`,
  url: () => "Enter a full address starting with https:// (or http://).",
  option: () => "Choose one of the options.",
};

/**
 * zod's default messages in plain words, in the UI's language when given the "settings"
 * translator (English without); anything else is shown as the server wrote it.
 */
export function friendly(message: string, t?: SettingsT): string {
  for (const [pattern, key, params] of FRIENDLY) {
    const m = pattern.exec(message);
    if (m) return t ? t(`errors.${key}`, params(m)) : ENGLISH[key](params(m));
  }
  return message;
}

interface SaveState {
  saving: boolean;
  errors: FieldErrors;
  formError: string | null;
  saved: boolean;
}

/**
 * Sends a change to the API and keeps what the form shows about it: busy while it runs,
 * "Saved" afterwards, or the error with each field's message from the 422 `details`.
 * `fields` are the paths the form shows inline; other problems go to the form message.
 */
export function useSave(fields: readonly string[], onSaved: (profile: Profile) => void) {
  const t = useTranslations("settings");
  const [state, setState] = useState<SaveState>({ saving: false, errors: {}, formError: null, saved: false });

  async function send(url: string, init: RequestInit): Promise<Profile | null> {
    setState({ saving: true, errors: {}, formError: null, saved: false });
    try {
      const res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...init.headers } });
      const body = (await res.json().catch(() => null)) as unknown;
      if (res.ok && body) {
        setState({ saving: false, errors: {}, formError: null, saved: true });
        onSaved(body as Profile);
        return body as Profile;
      }
      const error = (body as { error?: { message?: unknown; details?: unknown } } | null)?.error;
      const errors: FieldErrors = {};
      const other: string[] = [];
      if (Array.isArray(error?.details)) {
        for (const d of error.details as { path?: unknown; message?: unknown }[]) {
          const path = String(d.path ?? "");
          const message = friendly(String(d.message ?? t("errors.notValid")), t);
          if (fields.includes(path)) errors[path] ??= message;
          else other.push(path && path !== "(body)" ? `${path}: ${message}` : message);
        }
      }
      let formError = typeof error?.message === "string" && error.message ? error.message : null;
      if (formError === "Request body is not valid." && Object.keys(errors).length > 0) {
        formError = t("errors.checkFields");
      }
      formError ??=
        res.status === 401
          ? t("errors.sessionEnded")
          : res.status >= 500
            ? t("errors.server")
            : t("errors.requestFailed", { status: String(res.status) });
      if (other.length > 0) formError = `${formError} ${other.join(" ")}`;
      setState({ saving: false, errors, formError, saved: false });
    } catch {
      setState({ saving: false, errors: {}, formError: t("errors.network"), saved: false });
    }
    return null;
  }

  return {
    ...state,
    patch: (body: Record<string, unknown>) =>
      send("/api/v1/customers/me", { method: "PATCH", body: JSON.stringify(body) }),
    post: (url: string) => send(url, { method: "POST" }),
    /** An edit after "Saved": the message no longer describes what the form shows. */
    touched: () => setState((s) => (s.saved ? { ...s, saved: false } : s)),
  };
}

export type Save = ReturnType<typeof useSave>;

/** A card with its own form, submit button, "Saved" status and error message. */
export function SettingsSection({
  id,
  title,
  description,
  save,
  submitLabel,
  onSubmit,
  children,
  extraActions,
  savedText,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  save: Save;
  submitLabel: string;
  onSubmit: () => void;
  children: ReactNode;
  extraActions?: ReactNode;
  /** The "✓ …" once saved; "Saved" (in the UI's language) by default. */
  savedText?: string;
}) {
  const t = useTranslations("settings");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!save.saving) onSubmit();
  };
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {description && <div className="mt-1 space-y-2 text-sm text-slate-700">{description}</div>}
      <form noValidate onSubmit={submit} onChange={save.touched} aria-busy={save.saving} className="mt-4 space-y-4">
        {children}
        {save.formError && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {save.formError}
          </p>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={save.saving}>
            {save.saving ? t("saving") : submitLabel}
          </Button>
          {extraActions}
          <p role="status" className="text-sm font-medium text-brand-800">
            {save.saved && (
              <>
                <span aria-hidden="true">✓ </span>
                {savedText ?? t("saved")}
              </>
            )}
          </p>
        </div>
      </form>
    </section>
  );
}

/**
 * A labelled control with its hint and its error, wired for screen readers
 * (aria-describedby, aria-invalid). `children` receives the props for the control.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (control: {
    id: string;
    "aria-describedby"?: string;
    "aria-invalid"?: true;
    className: string;
  }) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children({
        id,
        "aria-describedby": described || undefined,
        "aria-invalid": error ? true : undefined,
        className: inputClass(error),
      })}
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-800">
          <span aria-hidden="true">! </span>
          {error}
        </p>
      )}
    </div>
  );
}
