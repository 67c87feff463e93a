import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { CopyField } from "@/components/ui/copy-field";

/**
 * What a tenant pastes into ManyChat's External Request, shown with copy buttons, and
 * the steps to follow there. Used by Settings and by the dashboard's setup checklist.
 */

/** The body of ManyChat's External Request, with ManyChat's own variables. */
export const EXTERNAL_REQUEST_BODY =
  '{"subscriber_id": "{{user_id}}", "text": "{{last_input_text}}", "first_name": "{{first_name}}", "phone": "{{phone}}"}';

export interface InboundWebhookValues {
  url: string;
  secret_header: string;
  secret: string;
}

/** The four values, each with its copy button. */
export function ExternalRequestFields({ hook }: { hook: InboundWebhookValues }) {
  const t = useTranslations("manychat");
  return (
    <div className="space-y-4">
      <CopyField label={t("webhookUrl")} value={hook.url} />
      <CopyField label={t("headerName")} value={hook.secret_header} />
      <CopyField label={t("webhookSecret")} value={hook.secret} secret />
      <div>
        <label htmlFor="external-request-body" className="block text-sm font-medium text-slate-700">
          {t("requestBody")}
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
          <CopyButton value={EXTERNAL_REQUEST_BODY} label={t("requestBodyCopy")} />
        </div>
      </div>
    </div>
  );
}

/** Where each value goes in ManyChat, step by step. */
export function ExternalRequestGuide({ headerName }: { headerName: string }) {
  const t = useTranslations("manychat");
  const tags = {
    strong: (chunks: ReactNode) => <strong>{chunks}</strong>,
    code: (chunks: ReactNode) => <code className="font-mono">{chunks}</code>,
  };
  return (
    <ol className="list-decimal space-y-1.5 pl-5 text-sm text-slate-700 marker:font-semibold marker:text-slate-800">
      <li>{t.rich("guide1", tags)}</li>
      <li>{t.rich("guide2", tags)}</li>
      <li>{t.rich("guide3", { ...tags, header: headerName })}</li>
      <li>{t.rich("guide4", tags)}</li>
      <li>{t.rich("guide5", tags)}</li>
    </ol>
  );
}
