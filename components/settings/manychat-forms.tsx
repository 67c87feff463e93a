"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { CopyField } from "@/components/ui/copy-field";
import { ConfirmDialog } from "./confirm-dialog";
import { Field, type Profile, SettingsSection, useSave } from "./settings-form";

type Props = { profile: Profile; onSaved: (profile: Profile) => void };

/** The body of ManyChat's External Request, with ManyChat's own variables. */
export const EXTERNAL_REQUEST_BODY =
  '{"subscriber_id": "{{user_id}}", "text": "{{last_input_text}}", "first_name": "{{first_name}}", "phone": "{{phone}}"}';

export function manychatStatus(manychat: Profile["manychat"]): string {
  if (!manychat.configured) return "not connected";
  const details = [manychat.key_last4 ? `…${manychat.key_last4}` : null, manychat.page_name].filter(Boolean);
  return details.length > 0 ? `connected (${details.join(", ")})` : "connected";
}

export function ManychatKeyForm({ profile, onSaved }: Props) {
  const [key, setKey] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [savedText, setSavedText] = useState("Saved");
  const save = useSave(["manychat_api_key"], (p) => {
    setKey("");
    onSaved(p);
  });
  const { configured } = profile.manychat;
  return (
    <>
      <SettingsSection
        id="manychat-key"
        title="ManyChat API key"
        description={
          <>
            <p>
              Needed to send the answers to your customers. In ManyChat, open Settings → API and copy the key (it looks
              like <code className="font-mono">123456:abc…</code>). We check it with ManyChat before saving it; it is
              stored encrypted and only its last 4 characters are shown.
            </p>
            <p>
              Status:{" "}
              <strong data-testid="manychat-status" className={configured ? "text-brand-800" : "text-slate-900"}>
                {manychatStatus(profile.manychat)}
              </strong>
            </p>
          </>
        }
        save={save}
        savedText={savedText}
        submitLabel={configured ? "Replace key" : "Connect"}
        onSubmit={() => {
          setSavedText("Saved");
          void save.patch({ manychat_api_key: key.trim() });
        }}
        extraActions={
          configured && (
            <Button type="button" variant="secondary" disabled={save.saving} onClick={() => setConfirming(true)}>
              Disconnect
            </Button>
          )
        }
      >
        <Field
          id="manychat-api-key"
          label={configured ? "New ManyChat API key" : "ManyChat API key"}
          error={save.errors.manychat_api_key}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
            />
          )}
        </Field>
      </SettingsSection>
      {confirming && (
        <ConfirmDialog
          id="disconnect-manychat"
          title="Disconnect ManyChat?"
          confirmLabel="Disconnect"
          onClose={() => setConfirming(false)}
          onConfirm={() => {
            setSavedText("Disconnected");
            void save.patch({ manychat_api_key: null });
          }}
        >
          <p>
            The key is deleted. Customers still get your acknowledgement, but the answers cannot be sent to them until
            you connect a key again.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** What the tenant pastes into ManyChat's External Request, and the secret's rotation. */
export function InboundWebhook({ profile, onSaved }: Props) {
  const [confirming, setConfirming] = useState(false);
  const save = useSave([], onSaved);
  const hook = profile.inbound_webhook;
  return (
    <section aria-labelledby="inbound-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="inbound-heading" className="text-lg font-semibold">
        Inbound webhook (ManyChat External Request)
      </h2>
      <div className="mt-1 space-y-2 text-sm text-slate-700">
        <p>
          In your ManyChat WhatsApp flow, after the customer’s message, add an <strong>External Request</strong> action:
          method POST to this URL, with this header and secret, and the JSON body below. Map the response as{" "}
          <strong>dynamic content</strong>: the customer immediately sees your acknowledgement, and the answer follows
          seconds later.
        </p>
      </div>
      <div className="mt-4 space-y-4">
        <CopyField label="Webhook URL" value={hook.url} />
        <CopyField label="Header name" value={hook.secret_header} />
        <CopyField label="Webhook secret" value={hook.secret} secret />
        <div>
          <label htmlFor="external-request-body" className="block text-sm font-medium text-slate-700">
            Request body (JSON)
          </label>
          <div className="mt-1 flex items-start gap-2">
            <textarea
              id="external-request-body"
              readOnly
              rows={3}
              value={EXTERNAL_REQUEST_BODY}
              spellCheck={false}
              className="block w-full min-w-0 resize-none rounded-md border border-slate-300 bg-slate-50 px-3 py-1.5 font-mono text-sm text-slate-800"
            />
            <CopyButton value={EXTERNAL_REQUEST_BODY} label="Request body" />
          </div>
        </div>
      </div>
      <div className="mt-5 border-t border-slate-100 pt-4">
        <p className="text-sm text-slate-700">
          Rotate the secret if it may have leaked. The old one stops working at once, so paste the new one into ManyChat
          right after.
        </p>
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <Button type="button" variant="secondary" disabled={save.saving} onClick={() => setConfirming(true)}>
            {save.saving ? "Rotating…" : "Rotate secret"}
          </Button>
          <p role="status" className="text-sm font-medium text-brand-800">
            {save.saved && (
              <>
                <span aria-hidden="true">✓ </span>Secret rotated. Copy the new one into your ManyChat External Request
                now.
              </>
            )}
          </p>
        </div>
        {save.formError && (
          <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {save.formError}
          </p>
        )}
      </div>
      {confirming && (
        <ConfirmDialog
          id="rotate-secret"
          title="Rotate the webhook secret?"
          confirmLabel="Rotate secret"
          onClose={() => setConfirming(false)}
          onConfirm={() => void save.post("/api/v1/customers/me/webhook-secret")}
        >
          <p>
            The current secret stops working immediately: ManyChat’s requests are refused until you paste the new secret
            into the <strong>{hook.secret_header}</strong> header of your External Request.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
