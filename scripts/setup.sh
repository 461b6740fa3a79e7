#!/usr/bin/env bash
# Shared set-up for the Quick start commands: Node deps, Prometheus/Alertmanager, a fresh build.
# Sourced by scripts/demo and scripts/test; safe to run again (each step is skipped when done).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "Node.js 20 or newer is required: install it (e.g. apt-get install nodejs) and run this again"
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required (found $(node --version))"

# Debian packages a command needs: "binary:package" pairs.
apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${missing[*]}: install these Debian packages (apt-get install -y --no-install-recommends ${missing[*]}) and run this again"
  fi
  say "installing ${missing[*]} with apt-get (one time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install prometheus:prometheus promtool:prometheus prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager git:git python3:python3

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

say "building"
npx tsc -p tsconfig.json
