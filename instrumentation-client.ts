/**
 * Browser error reporting, only when NEXT_PUBLIC_SENTRY_DSN was set at build time
 * (Next.js inlines it). The SDK is a separate chunk (lib/sentry-client.ts) fetched after
 * the page starts, so it never adds to the first-load JavaScript; without a DSN it is
 * never fetched.
 */
const dsn = process.env.NEXT_PUBLIC_SENTRY_DSN;

if (dsn) {
  void import("./lib/sentry-client").then(({ initSentryClient }) =>
    initSentryClient(dsn, process.env.NEXT_PUBLIC_SENTRY_ENVIRONMENT),
  );
}
