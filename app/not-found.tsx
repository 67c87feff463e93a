import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center px-6 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-700">The page you are looking for does not exist or you cannot see it.</p>
      <Link href="/dashboard" className="mt-6 rounded-md bg-brand-700 px-4 py-2 font-medium text-white">
        Go to your dashboard
      </Link>
    </main>
  );
}
