#!/usr/bin/env bash
# Installs the node packages from the lock file when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing node packages (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
