import type { Metadata } from "next";
import { CopyField } from "@/components/ui/copy-field";
import { requireIdentity } from "@/lib/auth/current-identity";
import { currentProfile } from "@/lib/tenants/current-profile";

export const metadata: Metadata = { title: "Dashboard" };

const euros = (cents: number) => (cents === 0 ? "Free" : `€${(cents / 100).toFixed(2)} / month`);

export default async function DashboardPage() {
  const identity = await requireIdentity("/dashboard");
  if (!identity.customerId) return null;
  const profile = await currentProfile(identity);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Welcome, {profile.name}</h1>

      <section aria-labelledby="plan-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="plan-heading" className="text-lg font-semibold">
          Your plan
        </h2>
        <dl className="mt-3 grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-600">Plan</dt>
            <dd className="font-medium" data-testid="plan-name">
              {profile.plan.name}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Answers per month</dt>
            <dd className="font-medium">{profile.plan.monthly_request_limit.toLocaleString("en")}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Price</dt>
            <dd className="font-medium">{euros(profile.plan.price_cents)}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="webhook-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="webhook-heading" className="text-lg font-semibold">
          Connect ManyChat
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          In your ManyChat WhatsApp flow, add an <strong>External Request</strong> action: method POST to this URL, with
          this header and secret. Keep the secret private; you can rotate it at any time.
        </p>
        <div className="mt-4 space-y-4">
          <CopyField label="Webhook URL" value={profile.inbound_webhook.url} />
          <CopyField label="Header name" value={profile.inbound_webhook.secret_header} />
          <CopyField label="Webhook secret" value={profile.inbound_webhook.secret} secret />
        </div>
        <p className="mt-4 text-sm text-slate-700">
          ManyChat API key:{" "}
          {profile.manychat.configured ? (
            <span className="font-medium">connected (…{profile.manychat.key_last4})</span>
          ) : (
            <span className="font-medium">not connected yet</span>
          )}
        </p>
      </section>
    </div>
  );
}
