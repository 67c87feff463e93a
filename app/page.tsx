import Link from "next/link";

export default function LandingPage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-5xl flex-col px-6">
      <header className="flex items-center justify-between py-6">
        <span className="text-lg font-semibold text-brand-800">PDF Answers</span>
        <nav className="flex items-center gap-3 text-sm">
          <Link href="/login" className="rounded-md px-3 py-2 font-medium text-slate-700 hover:bg-slate-100">
            Log in
          </Link>
          <Link href="/signup" className="rounded-md bg-brand-700 px-3 py-2 font-medium text-white hover:bg-brand-800">
            Start free
          </Link>
        </nav>
      </header>
      <section className="flex flex-1 flex-col justify-center py-16">
        <h1 className="max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">
          Your WhatsApp customers get answers from your own documents, in seconds.
        </h1>
        <p className="mt-6 max-w-2xl text-lg text-slate-700">
          Upload your catalogues, FAQs and manuals. Connect ManyChat. Every question gets an instant acknowledgement,
          then an answer grounded in your PDFs with the source page cited, and an honest &ldquo;I don&rsquo;t
          know&rdquo; when your documents do not say.
        </p>
        <div className="mt-10 flex flex-wrap gap-3">
          <Link href="/signup" className="rounded-md bg-brand-700 px-5 py-3 font-medium text-white hover:bg-brand-800">
            Create your workspace
          </Link>
          <Link
            href="/login"
            className="rounded-md border border-slate-300 bg-white px-5 py-3 font-medium text-slate-800 hover:bg-slate-100"
          >
            I already have an account
          </Link>
        </div>
        <ul className="mt-16 grid gap-6 sm:grid-cols-3">
          {[
            ["Grounded", "Answers come only from your PDFs, with document and page for every claim."],
            ["Instant", "ManyChat gets its acknowledgement in milliseconds; the answer follows seconds later."],
            ["Honest", "When your documents don't cover a question, your customer is told so and you see it."],
          ].map(([title, text]) => (
            <li key={title} className="rounded-lg border border-slate-200 bg-white p-5">
              <h2 className="font-semibold">{title}</h2>
              <p className="mt-2 text-sm text-slate-700">{text}</p>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
