"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Field, friendly } from "@/components/settings/settings-form";
import { Button } from "@/components/ui/button";
import { adminApiError } from "./api-error";

/** A plan as GET /api/v1/admin/subscriptions lists it (the fields this form edits). */
export interface EditablePlan {
  id: string;
  name: string;
  monthly_request_limit: number;
  storage_limit_mb: number;
  price_cents: number;
  overage_price_cents: number;
  overage_allowed: boolean;
  stripe_price_id: string | null;
  stripe_overage_price_id: string | null;
  tenant_count: number;
}

const euros = (cents: number) => (cents / 100).toFixed(2);
/** "29", "29.9", "29,90" → 2990 cents; null when it is not an amount. */
function toCents(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}
const toWhole = (text: string): number | null => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);
/** An empty field unlinks the Stripe price (null); anything else must look like price_…. */
const toPriceId = (text: string): string | null | undefined => {
  const t = text.trim();
  if (t === "") return null;
  return /^price_[A-Za-z0-9_]{1,200}$/.test(t) ? t : undefined;
};

/** API field → the form's field it is shown under. */
const FIELD_OF: Record<string, string> = {
  name: "name",
  monthly_request_limit: "requests",
  storage_limit_mb: "storage",
  price_cents: "price",
  overage_price_cents: "overage",
  stripe_price_id: "stripePrice",
  stripe_overage_price_id: "stripeOveragePrice",
};

/**
 * Creates a plan, or edits one. Posts to POST /api/v1/admin/subscriptions, then shows the
 * plans page again with a confirmation (the server decides what was saved).
 */
export function PlanForm({ plan }: { plan: EditablePlan | null }) {
  const t = useTranslations("adminPlans.form");
  const ta = useTranslations("admin");
  const ts = useTranslations("settings");
  const router = useRouter();
  const heading = useRef<HTMLHeadingElement>(null);
  const [values, setValues] = useState({
    name: plan?.name ?? "",
    requests: plan ? String(plan.monthly_request_limit) : "",
    storage: plan ? String(plan.storage_limit_mb) : "",
    price: plan ? euros(plan.price_cents) : "",
    overage: plan ? euros(plan.overage_price_cents) : "0.00",
    overageAllowed: plan?.overage_allowed ?? false,
    stripePrice: plan?.stripe_price_id ?? "",
    stripeOveragePrice: plan?.stripe_overage_price_id ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // Opening a plan for editing moves the focus to the form, where the work continues.
  const editingId = plan?.id;
  useEffect(() => {
    if (editingId) heading.current?.focus();
  }, [editingId]);

  const set =
    (key: "name" | "requests" | "storage" | "price" | "overage" | "stripePrice" | "stripeOveragePrice") =>
    (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setValues((v) => ({ ...v, [key]: value }));
    };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    const local: Record<string, string> = {};
    const name = values.name.trim();
    if (!name) local.name = t("errors.notEmpty");
    const requests = toWhole(values.requests);
    if (requests === null) local.requests = t("errors.wholeNumber");
    const storage = toWhole(values.storage);
    if (storage === null) local.storage = t("errors.wholeMegabytes");
    const price = toCents(values.price);
    if (price === null) local.price = t("errors.price");
    const overage = toCents(values.overage);
    if (overage === null) local.overage = t("errors.overage");
    const stripePrice = toPriceId(values.stripePrice);
    if (stripePrice === undefined) local.stripePrice = t("errors.stripePrice");
    const stripeOveragePrice = toPriceId(values.stripeOveragePrice);
    if (stripeOveragePrice === undefined) local.stripeOveragePrice = t("errors.stripePrice");
    setErrors(local);
    if (Object.keys(local).length > 0) {
      setFormError(t("errors.checkFields"));
      return;
    }
    setSaving(true);
    setFormError(null);
    try {
      const res = await fetch("/api/v1/admin/subscriptions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          ...(plan ? { id: plan.id } : {}),
          name,
          monthly_request_limit: requests,
          storage_limit_mb: storage,
          price_cents: price,
          overage_price_cents: overage,
          overage_allowed: values.overageAllowed,
          stripe_price_id: stripePrice,
          stripe_overage_price_id: stripeOveragePrice,
        }),
      });
      const body = (await res.json().catch(() => null)) as { id?: string; error?: { details?: unknown } } | null;
      if (res.ok && body?.id) {
        // A fresh render of the page (dynamic pages are not cached): the table shows what was saved.
        router.push(`/admin/plans?saved=${encodeURIComponent(body.id)}`);
        return;
      }
      const fieldErrors: Record<string, string> = {};
      if (Array.isArray(body?.error?.details)) {
        for (const d of body.error.details as { path?: unknown; message?: unknown }[]) {
          const field = FIELD_OF[String(d.path ?? "")];
          if (field) fieldErrors[field] ??= friendly(String(d.message ?? ts("errors.notValid")), ts);
        }
      }
      if (res.status === 409) fieldErrors.name = adminApiError(res.status, body, ta);
      setErrors(fieldErrors);
      setFormError(Object.keys(fieldErrors).length > 0 ? t("errors.checkFields") : adminApiError(res.status, body, ta));
    } catch {
      setFormError(ta("apiErrors.network"));
    } finally {
      setSaving(false);
    }
  }

  const title = plan ? t("editTitle", { name: plan.name }) : t("newTitle");
  return (
    <section
      aria-labelledby="plan-form-heading"
      id="plan-form"
      className="rounded-lg border border-slate-200 bg-white p-5"
    >
      <h2 id="plan-form-heading" ref={heading} tabIndex={-1} className="text-lg font-semibold">
        {title}
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        {plan ? t("editIntro", { count: plan.tenant_count }) : t("newIntro")}
      </p>
      <form noValidate onSubmit={submit} aria-busy={saving} className="mt-4 space-y-4">
        <Field id="plan-name" label={t("name")} error={errors.name}>
          {(control) => <input {...control} type="text" maxLength={100} value={values.name} onChange={set("name")} />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="plan-requests" label={t("requests")} hint={t("requestsHint")} error={errors.requests}>
            {(control) => (
              <input {...control} type="text" inputMode="numeric" value={values.requests} onChange={set("requests")} />
            )}
          </Field>
          <Field id="plan-storage" label={t("storage")} hint={t("storageHint")} error={errors.storage}>
            {(control) => (
              <input {...control} type="text" inputMode="numeric" value={values.storage} onChange={set("storage")} />
            )}
          </Field>
          <Field id="plan-price" label={t("price")} hint={t("priceHint")} error={errors.price}>
            {(control) => (
              <input {...control} type="text" inputMode="decimal" value={values.price} onChange={set("price")} />
            )}
          </Field>
          <Field id="plan-overage" label={t("overage")} hint={t("overageHint")} error={errors.overage}>
            {(control) => (
              <input {...control} type="text" inputMode="decimal" value={values.overage} onChange={set("overage")} />
            )}
          </Field>
          <Field id="plan-stripe-price" label={t("stripePrice")} hint={t("stripePriceHint")} error={errors.stripePrice}>
            {(control) => (
              <input
                {...control}
                type="text"
                spellCheck={false}
                autoComplete="off"
                maxLength={206}
                value={values.stripePrice}
                onChange={set("stripePrice")}
              />
            )}
          </Field>
          <Field
            id="plan-stripe-overage-price"
            label={t("stripeOveragePrice")}
            hint={t("stripeOveragePriceHint")}
            error={errors.stripeOveragePrice}
          >
            {(control) => (
              <input
                {...control}
                type="text"
                spellCheck={false}
                autoComplete="off"
                maxLength={206}
                value={values.stripeOveragePrice}
                onChange={set("stripeOveragePrice")}
              />
            )}
          </Field>
        </div>
        <div className="flex items-start gap-2">
          <input
            id="plan-overage-allowed"
            type="checkbox"
            checked={values.overageAllowed}
            onChange={(e) => {
              const checked = e.currentTarget.checked;
              setValues((v) => ({ ...v, overageAllowed: checked }));
            }}
            aria-describedby="plan-overage-allowed-hint"
            className="mt-1 size-4 accent-brand-700"
          />
          <div>
            <label htmlFor="plan-overage-allowed" className="text-sm font-medium text-slate-800">
              {t("allowOverage")}
            </label>
            <p id="plan-overage-allowed-hint" className="text-xs text-slate-600">
              {t("allowOverageHint")}
            </p>
          </div>
        </div>
        {formError && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {formError}
          </p>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={saving}>
            {saving ? t("saving") : plan ? t("save") : t("create")}
          </Button>
          {plan && (
            <Link
              href="/admin/plans"
              className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
            >
              {t("cancel")}
            </Link>
          )}
        </div>
      </form>
    </section>
  );
}
