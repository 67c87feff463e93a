# syntax=docker/dockerfile:1
#
# Self-hosted PDF Answers: `npm start` (node dist/server.mjs: Next.js behind the direct
# ManyChat webhook path), for several instances behind a load balancer. State lives
# outside the container: set DATABASE_URL, Supabase Storage (NEXT_PUBLIC_SUPABASE_URL +
# SUPABASE_SECRET_KEY) and one ENCRYPTION_KEY for all instances (docs/deploy.md).
#
# Not built in this project's CI: no container engine runs on its machines.

# ---- build: exact dependencies, the Next.js build and dist/server.mjs -------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# Browser error reporting is built into the pages: pass the DSN at build time (optional).
ARG NEXT_PUBLIC_SENTRY_DSN=""
ARG NEXT_PUBLIC_SENTRY_ENVIRONMENT=""
ENV NEXT_PUBLIC_SENTRY_DSN=$NEXT_PUBLIC_SENTRY_DSN \
    NEXT_PUBLIC_SENTRY_ENVIRONMENT=$NEXT_PUBLIC_SENTRY_ENVIRONMENT
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- run: the built app and its production dependencies, as an unprivileged user -------
FROM node:24-bookworm-slim AS run
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    DATA_DIR=/app/.data
# The migrations (supabase/, lib/db/sql/) and next.config.ts are read at start-up, so the
# whole tree comes along, without the dev dependencies pruned above.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: the server stops accepting connections and exits; jobs in flight are durable.
CMD ["node", "dist/server.mjs"]
