import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

// French and English UI: the locale is chosen per request in lib/i18n/request.ts.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // Lets parallel builds (e.g. a browser-test build beside an API-test build) not collide.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native/WASM database drivers and the logger load at run time, not bundled. So do
  // prom-client and Sentry: dist/server.mjs (server.ts) loads them from node_modules too,
  // and one copy per process keeps one metrics registry and one Sentry client.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "postgres",
    "pino",
    "prom-client",
    "@sentry/nextjs",
  ],
  // The migration runner reads these files at start-up, also on serverless hosts; the PDF
  // reader process (lib/documents/pdf-text.ts) runs pdf-worker.mjs, which imports unpdf
  // from node_modules, so both ship even though no bundle imports them.
  outputFileTracingIncludes: {
    "/**": [
      "./supabase/migrations/*.sql",
      "./supabase/seed.sql",
      "./lib/db/sql/*.sql",
      "./lib/documents/pdf-worker.mjs",
      "./lib/documents/pdf-launcher.mjs",
      "./node_modules/unpdf/package.json",
      "./node_modules/unpdf/dist/**",
    ],
  },
  poweredByHeader: false,
  // Security headers on every response (lib/http/security-headers.ts); pages get their
  // nonce'd Content-Security-Policy from proxy.ts, the API a policy that allows nothing.
  async headers() {
    const all = Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));
    return [
      { source: "/:path*", headers: all },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
  typedRoutes: false,
};

export default withNextIntl(nextConfig);
