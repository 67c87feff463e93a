import { init } from "@sentry/nextjs";

/**
 * Browser error reporting, loaded by instrumentation-client.ts as its own chunk. A static
 * import of `init` alone (not the whole SDK namespace, which a dynamic import() of
 * @sentry/nextjs would give) lets the bundler leave out what is not used: session replay,
 * feedback, tracing.
 */
export function initSentryClient(dsn: string, environment: string | undefined): void {
  init({
    dsn,
    environment,
    // No cookies, query strings (signed upload tokens) or bodies.
    dataCollection: { userInfo: false, cookies: false, urlQueryParams: false, httpBodies: [] },
    tracesSampleRate: 0,
  });
}
