import { useTranslations } from "next-intl";
import { Fragment, type ReactNode } from "react";

const TAGS = { "*": "strong", _: "em", "~": "s" } as const;
/** WhatsApp's *bold*, _italic_, ~strike~: markers against the text, not inside a word. */
const EMPHASIS = /(?<![\p{L}\p{N}])([*_~])(?!\s)(.+?)(?<!\s)\1(?![\p{L}\p{N}])/gu;

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(EMPHASIS)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const Tag = TAGS[m[1] as keyof typeof TAGS];
    const k = `${key}.${m.index}`;
    out.push(<Tag key={k}>{inline(m[2] as string, k)}</Tag>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** One WhatsApp text rendered the way the app shows it: ```monospace``` blocks, then inline styles. */
export function WhatsAppText({ text }: { text: string }) {
  const parts = text.split("```");
  return parts.map((part, i) => {
    const key = String(i);
    if (i % 2 === 0) return <Fragment key={key}>{inline(part, key)}</Fragment>;
    // An opening fence without its closing one is shown as typed.
    if (i === parts.length - 1) return <Fragment key={key}>{inline(`\`\`\`${part}`, key)}</Fragment>;
    const code = part.replace(/^\n/, "").replace(/\n$/, "");
    return (
      <code key={key} className={`font-mono text-[0.85em] ${code.includes("\n") ? "block" : ""}`}>
        {code}
      </code>
    );
  });
}

/**
 * A phone-like conversation: the customer's question, then exactly the messages the
 * assistant sends (formatAnswer's output), with WhatsApp's formatting applied. With
 * `acknowledgement`, the webhook's immediate reply comes first.
 */
export function WhatsAppPreview({
  company,
  question,
  messages,
  acknowledgement,
  headingLevel = 2,
  id = "whatsapp",
}: {
  company: string;
  question: string;
  messages: string[];
  acknowledgement?: string;
  /** The level of the "On WhatsApp" heading in the page's outline. */
  headingLevel?: 2 | 3 | 4;
  /** Prefix of the element ids, unique on the page. */
  id?: string;
}) {
  const t = useTranslations("whatsapp");
  const Heading = `h${headingLevel}` as const;
  const replies = acknowledgement === undefined ? messages : [acknowledgement, ...messages];
  return (
    <section aria-labelledby={`${id}-heading`} className="min-w-0">
      <Heading id={`${id}-heading`} className="text-lg font-semibold">
        {t("heading")}
      </Heading>
      <p className="mt-1 text-sm text-slate-700">
        {acknowledgement === undefined
          ? t("intro", { count: messages.length })
          : t("introWithAck", { count: messages.length })}
      </p>
      <div className="mx-auto mt-3 max-w-sm overflow-hidden rounded-[2rem] border-8 border-slate-800 bg-[#efeae2] shadow-md">
        <div className="flex items-center gap-2 bg-[#075e54] px-4 py-3 text-white">
          <span
            aria-hidden="true"
            className="flex size-8 shrink-0 items-center justify-center rounded-full bg-white/20 text-sm font-semibold"
          >
            {company.trim().charAt(0).toUpperCase() || "?"}
          </span>
          <span className="min-w-0 truncate text-sm font-semibold">{company}</span>
        </div>
        <ol aria-label={t("messagesLabel")} className="space-y-2 px-3 py-4 text-sm text-slate-900">
          <li className="ml-auto w-fit max-w-[85%] whitespace-pre-wrap break-words rounded-lg rounded-tr-none bg-[#d9fdd3] px-3 py-2 shadow-sm">
            <span className="sr-only">{`${t("customer")} `}</span>
            {question}
          </li>
          {replies.map((m, i) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: the messages are a fixed sequence, never reordered.
              key={i}
              data-testid={acknowledgement !== undefined && i === 0 ? "whatsapp-ack" : "whatsapp-bubble"}
              className="mr-auto w-fit max-w-[85%] whitespace-pre-wrap break-words rounded-lg rounded-tl-none bg-white px-3 py-2 shadow-sm"
            >
              <span className="sr-only">{`${replyLabel(t, i, messages.length, acknowledgement !== undefined)} `}</span>
              <WhatsAppText text={m} />
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

function replyLabel(
  t: ReturnType<typeof useTranslations<"whatsapp">>,
  index: number,
  answers: number,
  withAck: boolean,
): string {
  if (withAck && index === 0) return t("acknowledgement");
  const n = withAck ? index : index + 1;
  return answers > 1 ? t("replyOf", { n, total: answers }) : t("reply");
}
