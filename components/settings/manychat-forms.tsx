"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ExternalRequestFields, ExternalRequestGuide } from "@/components/manychat/external-request-setup";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "./confirm-dialog";
import { Field, type Profile, SettingsSection, useSave } from "./settings-form";

type Props = { profile: Profile; onSaved: (profile: Profile) => void };
type ManychatT = ReturnType<typeof useTranslations<"manychat">>;

export function manychatStatus(manychat: Profile["manychat"], t: ManychatT): string {
  if (!manychat.configured) return t("notConnected");
  const details = [manychat.key_last4 ? `…${manychat.key_last4}` : null, manychat.page_name].filter(Boolean);
  return details.length > 0 ? t("connectedDetails", { details: details.join(", ") }) : t("connected");
}

export function ManychatKeyForm({ profile, onSaved }: Props) {
  const t = useTranslations("manychat");
  const ts = useTranslations("settings");
  const [key, setKey] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [savedText, setSavedText] = useState(ts("saved"));
  const save = useSave(["manychat_api_key"], (p) => {
    setKey("");
    onSaved(p);
  });
  const { configured } = profile.manychat;
  return (
    <>
      <SettingsSection
        id="manychat-key"
        title={t("keyTitle")}
        description={
          <>
            <p>{t.rich("keyIntro", { code: (chunks) => <code className="font-mono">{chunks}</code> })}</p>
            <p>
              {t.rich("status", {
                status: manychatStatus(profile.manychat, t),
                strong: (chunks) => (
                  <strong data-testid="manychat-status" className={configured ? "text-brand-800" : "text-slate-900"}>
                    {chunks}
                  </strong>
                ),
              })}
            </p>
          </>
        }
        save={save}
        savedText={savedText}
        submitLabel={configured ? t("replaceKey") : t("connect")}
        onSubmit={() => {
          setSavedText(ts("saved"));
          void save.patch({ manychat_api_key: key.trim() });
        }}
        extraActions={
          configured && (
            <Button type="button" variant="secondary" disabled={save.saving} onClick={() => setConfirming(true)}>
              {t("disconnect")}
            </Button>
          )
        }
      >
        <Field
          id="manychat-api-key"
          label={configured ? t("newKeyLabel") : t("keyLabel")}
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
          title={t("disconnectTitle")}
          confirmLabel={t("disconnect")}
          onClose={() => setConfirming(false)}
          onConfirm={() => {
            setSavedText(t("disconnected"));
            void save.patch({ manychat_api_key: null });
          }}
        >
          <p>{t("disconnectText")}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** What the tenant pastes into ManyChat's External Request, and the secret's rotation. */
export function InboundWebhook({ profile, onSaved }: Props) {
  const t = useTranslations("manychat");
  const [confirming, setConfirming] = useState(false);
  const save = useSave([], onSaved);
  const hook = profile.inbound_webhook;
  return (
    <section aria-labelledby="inbound-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="inbound-heading" className="text-lg font-semibold">
        {t("inboundTitle")}
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        {t.rich("inboundIntro", { strong: (chunks) => <strong>{chunks}</strong> })}
      </p>
      <div className="mt-3">
        <ExternalRequestGuide headerName={hook.secret_header} />
      </div>
      <div className="mt-4">
        <ExternalRequestFields hook={hook} />
      </div>
      <div className="mt-5 border-t border-slate-100 pt-4">
        <p className="text-sm text-slate-700">{t("rotateText")}</p>
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <Button type="button" variant="secondary" disabled={save.saving} onClick={() => setConfirming(true)}>
            {save.saving ? t("rotating") : t("rotate")}
          </Button>
          <p role="status" className="text-sm font-medium text-brand-800">
            {save.saved && (
              <>
                <span aria-hidden="true">✓ </span>
                {t("rotated")}
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
          title={t("rotateTitle")}
          confirmLabel={t("rotate")}
          onClose={() => setConfirming(false)}
          onConfirm={() => void save.post("/api/v1/customers/me/webhook-secret")}
        >
          <p>{t.rich("rotateText2", { header: hook.secret_header, strong: (chunks) => <strong>{chunks}</strong> })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
