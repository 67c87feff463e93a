import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

// French and English UI: the locale is chosen per request in lib/i18n/request.ts.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // Lets parallel builds (e.g. a browser-test build beside an API-test build) not collide.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native/WASM database drivers and the logger load at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "postgres", "pino"],
  // The migration runner reads these files at start-up, also on serverless hosts.
  outputFileTracingIncludes: {
    "/**": ["./supabase/migrations/*.sql", "./supabase/seed.sql", "./lib/db/sql/*.sql"],
  },
  poweredByHeader: false,
  typedRoutes: false,
};

export default withNextIntl(nextConfig);
