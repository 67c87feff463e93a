import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages } from "next-intl/server";
import { withoutAdmin } from "@/lib/i18n/messages";
import "./globals.css";

// Inline so browsers do not ask for a missing /favicon.ico (a 404 in every page's console).
const icon = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#065f46"/><path d="M10 7h9l5 5v13H10z" fill="#fff"/><path d="M13 16h8M13 20h6" stroke="#065f46" stroke-width="2"/></svg>',
)}`;

export const metadata: Metadata = {
  title: { default: "PDF Answers", template: "%s · PDF Answers" },
  description: "Answer your WhatsApp customers instantly from your own PDFs, with the source page cited.",
  icons: { icon: { url: icon, type: "image/svg+xml" } },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  // Client components get the messages of every page but the admin console's (its layout
  // adds those), so tenant pages do not carry the console's catalogue.
  const messages = withoutAdmin(await getMessages());
  return (
    <html lang={locale}>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <NextIntlClientProvider messages={messages}>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
