"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Field, type Profile, SettingsSection, useSave } from "./settings-form";

/** The limits of the settings schema (lib/tenants/settings.ts), passed in by the server page. */
export interface SettingsLimits {
  name: number;
  text: number;
  memoryTurns: { min: number; max: number };
  burstSeconds: { min: number; max: number };
  retentionDays: { min: number; max: number };
  flowNs: number;
  fieldName: number;
  url: number;
}

type FormProps = { profile: Profile; limits: SettingsLimits; onSaved: (profile: Profile) => void };

/** The assistant's languages with a name in the "settings.replies.languages" messages. */
const NAMED_LANGUAGES = ["fr", "en", "es", "de", "it", "pt", "nl", "ar"] as const;
const isNamedLanguage = (code: string): code is (typeof NAMED_LANGUAGES)[number] =>
  (NAMED_LANGUAGES as readonly string[]).includes(code);

/** A number field's text as the API wants it: a number, or null (refused, with a message) when empty. */
const toNumber = (value: string) => (value.trim() === "" ? null : Number(value));

export function CompanyForm({ profile, limits, onSaved }: FormProps) {
  const t = useTranslations("settings.company");
  const router = useRouter();
  const [name, setName] = useState(profile.name);
  const save = useSave(["name"], (p) => {
    onSaved(p);
    router.refresh(); // the header shows the name too
  });
  return (
    <SettingsSection
      id="company"
      title={t("title")}
      description={<p>{t("description")}</p>}
      save={save}
      submitLabel={t("submit")}
      onSubmit={() => save.patch({ name })}
    >
      <Field id="company-name" label={t("nameLabel")} error={save.errors.name}>
        {(control) => (
          <input
            {...control}
            type="text"
            autoComplete="organization"
            maxLength={limits.name}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
    </SettingsSection>
  );
}

export function RepliesForm({ profile, limits, onSaved, languages }: FormProps & { languages: readonly string[] }) {
  const t = useTranslations("settings.replies");
  const [values, setValues] = useState({
    ack_text: profile.settings.ack_text,
    fallback_text: profile.settings.fallback_text,
    refusal_text: profile.settings.refusal_text,
    limit_text: profile.settings.limit_text,
    language: profile.settings.language as string,
  });
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [key]: value }));
  };
  const save = useSave(
    [
      "settings.ack_text",
      "settings.fallback_text",
      "settings.refusal_text",
      "settings.limit_text",
      "settings.language",
    ],
    onSaved,
  );
  const texts = [
    { key: "ack_text", label: t("ackLabel"), hint: t("ackHint") },
    { key: "refusal_text", label: t("refusalLabel"), hint: t("refusalHint") },
    { key: "fallback_text", label: t("fallbackLabel"), hint: t("fallbackHint") },
    { key: "limit_text", label: t("limitLabel"), hint: t("limitHint") },
  ] as const;
  return (
    <SettingsSection
      id="replies"
      title={t("title")}
      description={<p>{t("description")}</p>}
      save={save}
      submitLabel={t("submit")}
      onSubmit={() => save.patch({ settings: values })}
    >
      {texts.map((text) => (
        <Field
          key={text.key}
          id={`settings-${text.key}`}
          label={text.label}
          hint={`${text.hint} ${t("maxChars", { max: limits.text })}`}
          error={save.errors[`settings.${text.key}`]}
        >
          {(control) => (
            <textarea {...control} rows={2} maxLength={limits.text} value={values[text.key]} onChange={set(text.key)} />
          )}
        </Field>
      ))}
      <Field
        id="settings-language"
        label={t("languageLabel")}
        hint={t("languageHint")}
        error={save.errors["settings.language"]}
      >
        {(control) => (
          <select {...control} value={values.language} onChange={set("language")}>
            {languages.map((code) => (
              <option key={code} value={code}>
                {isNamedLanguage(code) ? t(`languages.${code}`) : code}
              </option>
            ))}
          </select>
        )}
      </Field>
    </SettingsSection>
  );
}

export function ConversationForm({ profile, limits, onSaved }: FormProps) {
  const t = useTranslations("settings.conversation");
  const [memory, setMemory] = useState(String(profile.settings.memory_turns));
  const [burst, setBurst] = useState(String(profile.settings.burst_window_seconds));
  const [retention, setRetention] = useState(String(profile.settings.message_retention_days));
  const save = useSave(
    ["settings.memory_turns", "settings.burst_window_seconds", "settings.message_retention_days"],
    onSaved,
  );
  const { memoryTurns: m, burstSeconds: b, retentionDays: r } = limits;
  // The bounds as the schema writes them (no grouping: "3650", as typed in the field).
  const range = (x: { min: number; max: number }) => ({ min: String(x.min), max: String(x.max) });
  return (
    <SettingsSection
      id="conversation"
      title={t("title")}
      save={save}
      submitLabel={t("submit")}
      onSubmit={() =>
        save.patch({
          settings: {
            memory_turns: toNumber(memory),
            burst_window_seconds: toNumber(burst),
            message_retention_days: toNumber(retention),
          },
        })
      }
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NumberField
          id="settings-memory-turns"
          label={t("memoryLabel")}
          hint={t("memoryHint", range(m))}
          error={save.errors["settings.memory_turns"]}
          range={m}
          value={memory}
          onChange={setMemory}
        />
        <NumberField
          id="settings-burst-window"
          label={t("burstLabel")}
          hint={t("burstHint", range(b))}
          error={save.errors["settings.burst_window_seconds"]}
          range={b}
          value={burst}
          onChange={setBurst}
        />
        <NumberField
          id="settings-retention-days"
          label={t("retentionLabel")}
          hint={t("retentionHint", range(r))}
          error={save.errors["settings.message_retention_days"]}
          range={r}
          value={retention}
          onChange={setRetention}
        />
      </div>
    </SettingsSection>
  );
}

export function FallbackFlowForm({ profile, limits, onSaved }: FormProps) {
  const t = useTranslations("settings.fallbackFlow");
  const [flowNs, setFlowNs] = useState(profile.settings.fallback_flow_ns);
  const [fieldName, setFieldName] = useState(profile.settings.fallback_field_name);
  const save = useSave(["settings.fallback_flow_ns", "settings.fallback_field_name"], onSaved);
  return (
    <SettingsSection
      id="fallback-flow"
      title={t("title")}
      description={<p>{t("description")}</p>}
      save={save}
      submitLabel={t("submit")}
      onSubmit={() => save.patch({ settings: { fallback_flow_ns: flowNs, fallback_field_name: fieldName } })}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="settings-fallback-flow-ns"
          label={t("flowLabel")}
          hint={t("flowHint")}
          error={save.errors["settings.fallback_flow_ns"]}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              spellCheck={false}
              autoComplete="off"
              maxLength={limits.flowNs}
              value={flowNs}
              onChange={(e) => setFlowNs(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="settings-fallback-field-name"
          label={t("fieldLabel")}
          hint={t("fieldHint")}
          error={save.errors["settings.fallback_field_name"]}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              spellCheck={false}
              autoComplete="off"
              maxLength={limits.fieldName}
              value={fieldName}
              onChange={(e) => setFieldName(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
    </SettingsSection>
  );
}

export function OutboundWebhookForm({ profile, limits, onSaved }: FormProps) {
  const t = useTranslations("settings.outboundWebhook");
  const [url, setUrl] = useState(profile.webhook_url ?? "");
  const save = useSave(["webhook_url"], onSaved);
  return (
    <SettingsSection
      id="outbound-webhook"
      title={t("title")}
      description={<p>{t("description")}</p>}
      save={save}
      submitLabel={t("submit")}
      onSubmit={() => save.patch({ webhook_url: url.trim() === "" ? null : url.trim() })}
    >
      <Field id="webhook-url" label={t("urlLabel")} hint={t("urlHint")} error={save.errors.webhook_url}>
        {(control) => (
          <input
            {...control}
            type="url"
            inputMode="url"
            spellCheck={false}
            autoComplete="url"
            placeholder="https://example.com/hooks/pdf-answers"
            maxLength={limits.url}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        )}
      </Field>
    </SettingsSection>
  );
}

/** A whole-number setting within the schema's range (the API checks it again). */
function NumberField({
  range,
  value,
  onChange,
  ...field
}: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  range: { min: number; max: number };
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field {...field}>
      {(control) => (
        <input
          {...control}
          type="number"
          inputMode="numeric"
          min={range.min}
          max={range.max}
          step={1}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
