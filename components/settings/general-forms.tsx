"use client";

import { useRouter } from "next/navigation";
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

const LANGUAGE_NAMES: Record<string, string> = {
  fr: "French (français)",
  en: "English",
  es: "Spanish (español)",
  de: "German (Deutsch)",
  it: "Italian (italiano)",
  pt: "Portuguese (português)",
  nl: "Dutch (Nederlands)",
  ar: "Arabic (العربية)",
};

/** A number field's text as the API wants it: a number, or null (refused, with a message) when empty. */
const toNumber = (value: string) => (value.trim() === "" ? null : Number(value));

export function CompanyForm({ profile, limits, onSaved }: FormProps) {
  const router = useRouter();
  const [name, setName] = useState(profile.name);
  const save = useSave(["name"], (p) => {
    onSaved(p);
    router.refresh(); // the header shows the name too
  });
  return (
    <SettingsSection
      id="company"
      title="Company"
      description={<p>Shown in your dashboard, and given to the assistant so it can speak for your business.</p>}
      save={save}
      submitLabel="Save name"
      onSubmit={() => save.patch({ name })}
    >
      <Field id="company-name" label="Company name" error={save.errors.name}>
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
  const [values, setValues] = useState({
    ack_text: profile.settings.ack_text,
    fallback_text: profile.settings.fallback_text,
    refusal_text: profile.settings.refusal_text,
    language: profile.settings.language as string,
  });
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [key]: value }));
  };
  const save = useSave(
    ["settings.ack_text", "settings.fallback_text", "settings.refusal_text", "settings.language"],
    onSaved,
  );
  const texts = [
    {
      key: "ack_text",
      label: "Acknowledgement text",
      hint: "Sent at once when a customer's message arrives, while the answer is being prepared.",
    },
    {
      key: "refusal_text",
      label: "Refusal text",
      hint: "Sent when your documents do not cover the question: nothing is made up.",
    },
    {
      key: "fallback_text",
      label: "Fallback text",
      hint: "Sent when no answer could be produced, for example during an outage (after the retries).",
    },
  ] as const;
  return (
    <SettingsSection
      id="replies"
      title="Replies"
      description={<p>The fixed messages your customers get on WhatsApp, and the language of the assistant.</p>}
      save={save}
      submitLabel="Save replies"
      onSubmit={() => save.patch({ settings: values })}
    >
      {texts.map((t) => (
        <Field
          key={t.key}
          id={`settings-${t.key}`}
          label={t.label}
          hint={`${t.hint} At most ${limits.text.toLocaleString("en")} characters.`}
          error={save.errors[`settings.${t.key}`]}
        >
          {(control) => (
            <textarea {...control} rows={2} maxLength={limits.text} value={values[t.key]} onChange={set(t.key)} />
          )}
        </Field>
      ))}
      <Field
        id="settings-language"
        label="Default language"
        hint="Customers are answered in their own language; this one is used when it is unclear, and it tunes the search of your documents."
        error={save.errors["settings.language"]}
      >
        {(control) => (
          <select {...control} value={values.language} onChange={set("language")}>
            {languages.map((code) => (
              <option key={code} value={code}>
                {LANGUAGE_NAMES[code] ?? code}
              </option>
            ))}
          </select>
        )}
      </Field>
    </SettingsSection>
  );
}

export function ConversationForm({ profile, limits, onSaved }: FormProps) {
  const [memory, setMemory] = useState(String(profile.settings.memory_turns));
  const [burst, setBurst] = useState(String(profile.settings.burst_window_seconds));
  const [retention, setRetention] = useState(String(profile.settings.message_retention_days));
  const save = useSave(
    ["settings.memory_turns", "settings.burst_window_seconds", "settings.message_retention_days"],
    onSaved,
  );
  const { memoryTurns: m, burstSeconds: b, retentionDays: r } = limits;
  return (
    <SettingsSection
      id="conversation"
      title="Conversation"
      save={save}
      submitLabel="Save conversation settings"
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
        <Field
          id="settings-memory-turns"
          label="Conversation memory (turns)"
          hint={`How many earlier questions and answers are used to understand a follow-up such as “and in blue?”. 0 turns memory off. From ${m.min} to ${m.max}.`}
          error={save.errors["settings.memory_turns"]}
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              min={m.min}
              max={m.max}
              step={1}
              value={memory}
              onChange={(e) => setMemory(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="settings-burst-window"
          label="Burst window (seconds)"
          hint={`Messages a customer sends within this many seconds are answered together, once. 0 answers each message on its own. From ${b.min} to ${b.max}.`}
          error={save.errors["settings.burst_window_seconds"]}
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              min={b.min}
              max={b.max}
              step={1}
              value={burst}
              onChange={(e) => setBurst(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="settings-retention-days"
          label="Keep conversations (days)"
          hint={`Messages older than this are deleted for good, every day. From ${r.min} to ${r.max}.`}
          error={save.errors["settings.message_retention_days"]}
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              min={r.min}
              max={r.max}
              step={1}
              value={retention}
              onChange={(e) => setRetention(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
    </SettingsSection>
  );
}

export function FallbackFlowForm({ profile, limits, onSaved }: FormProps) {
  const [flowNs, setFlowNs] = useState(profile.settings.fallback_flow_ns);
  const [fieldName, setFieldName] = useState(profile.settings.fallback_field_name);
  const save = useSave(["settings.fallback_flow_ns", "settings.fallback_field_name"], onSaved);
  return (
    <SettingsSection
      id="fallback-flow"
      title="Fallback flow"
      description={
        <p>
          WhatsApp lets a business send free-form messages only within 24 hours of the customer’s last message. When
          ManyChat refuses to deliver an answer directly (for example because that window has closed), the answer is put
          in the subscriber’s custom field below and this ManyChat flow is started; the flow can send it with an
          approved message template. Leave the flow empty to have no fallback: the answer is then recorded as not
          delivered.
        </p>
      }
      save={save}
      submitLabel="Save fallback flow"
      onSubmit={() => save.patch({ settings: { fallback_flow_ns: flowNs, fallback_field_name: fieldName } })}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="settings-fallback-flow-ns"
          label="Flow namespace"
          hint="The flow’s id in ManyChat, e.g. content20240101120000_123456 (in the flow’s URL)."
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
          label="Custom field name"
          hint="A text custom field of your ManyChat account; the flow shows it."
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
  const [url, setUrl] = useState(profile.webhook_url ?? "");
  const save = useSave(["webhook_url"], onSaved);
  return (
    <SettingsSection
      id="outbound-webhook"
      title="Outbound webhook"
      description={
        <p>
          Optional: your own endpoint, which receives a notification of events in your workspace. Leave it empty to
          receive none.
        </p>
      }
      save={save}
      submitLabel="Save webhook URL"
      onSubmit={() => save.patch({ webhook_url: url.trim() === "" ? null : url.trim() })}
    >
      <Field id="webhook-url" label="Your webhook URL" hint="A full https:// address." error={save.errors.webhook_url}>
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
