#!/usr/bin/env bash
# Provisions what a bare Debian 12 machine lacks to build and test the project:
# Node 24, PostgreSQL 15 (running) with pgvector, Chromium for Playwright, and qpdf +
# poppler-utils for the generated test PDFs (tests/support/pdf-fixtures.ts).
# Idempotent: each step is skipped when its result is already present.
set -euo pipefail

log() { printf '\n[provision] %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# --- Node 24 ---------------------------------------------------------------
node_major() { node -v 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  log "Node $(node -v 2>/dev/null || echo none) is too old; installing Node 24 from the npm registry"
  $SUDO npm install -g --force node@24 >/dev/null
  hash -r
fi
log "node $(node -v), npm $(npm -v)"

# --- PostgreSQL 15 -----------------------------------------------------------
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  log "installing PostgreSQL 15"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
PGVER="$(ls /etc/postgresql | sort -n | tail -1)"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  log "starting PostgreSQL $PGVER"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start || $SUDO pg_ctlcluster "$PGVER" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# --- pgvector ------------------------------------------------------------------
if [ ! -f "/usr/share/postgresql/$PGVER/extension/vector.control" ]; then
  log "building pgvector for PostgreSQL $PGVER from Debian 13 sources"
  work="$(mktemp -d)"
  mkdir -p "$work/lists/partial"
  echo "deb-src http://deb.debian.org/debian trixie main" > "$work/sources.list"
  apt_opts=(-oDir::Etc::SourceList="$work/sources.list" -oDir::Etc::SourceParts=/dev/null -oDir::State::Lists="$work/lists")
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$PGVER" make gcc >/dev/null
  $SUDO apt-get "${apt_opts[@]}" update -qq
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only pgvector >/dev/null)
  tar -xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
  src="$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -1)"
  (cd "$src" && make -s PG_CONFIG="/usr/lib/postgresql/$PGVER/bin/pg_config" >/dev/null && $SUDO make -s install PG_CONFIG="/usr/lib/postgresql/$PGVER/bin/pg_config" >/dev/null)
  rm -rf "$work"
fi

# --- Chromium ------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# --- PDF tools (qpdf encrypts test PDFs; poppler's pdftotext is the extraction reference) ---
if ! command -v qpdf >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  log "installing qpdf and poppler-utils"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qpdf poppler-utils >/dev/null
fi
log "provisioned: $(node -v), PostgreSQL $PGVER with pgvector, $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing'), $(qpdf --version 2>/dev/null | head -1), pdftotext $(pdftotext -v 2>&1 | head -1 | awk '{print $3}')"
