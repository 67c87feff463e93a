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
 * assistant sends (formatAnswer's output), with WhatsApp's formatting applied.
 */
export function WhatsAppPreview({
  company,
  question,
  messages,
}: {
  company: string;
  question: string;
  messages: string[];
}) {
  return (
    <section aria-labelledby="whatsapp-heading" className="min-w-0">
      <h2 id="whatsapp-heading" className="text-lg font-semibold">
        On WhatsApp
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        {messages.length === 1 ? "The message" : `The ${messages.length} messages`} your customer would receive, after
        the acknowledgement.
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
        <ol aria-label="WhatsApp messages" className="space-y-2 px-3 py-4 text-sm text-slate-900">
          <li className="ml-auto w-fit max-w-[85%] whitespace-pre-wrap break-words rounded-lg rounded-tr-none bg-[#d9fdd3] px-3 py-2 shadow-sm">
            <span className="sr-only">Customer: </span>
            {question}
          </li>
          {messages.map((m, i) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: the messages are a fixed sequence, never reordered.
              key={i}
              data-testid="whatsapp-bubble"
              className="mr-auto w-fit max-w-[85%] whitespace-pre-wrap break-words rounded-lg rounded-tl-none bg-white px-3 py-2 shadow-sm"
            >
              <span className="sr-only">
                {messages.length > 1 ? `Reply ${i + 1} of ${messages.length}: ` : "Reply: "}
              </span>
              <WhatsAppText text={m} />
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
