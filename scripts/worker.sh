#!/usr/bin/env bash
# `make worker`: one media worker against MONGODB_URL (run several to scale out).
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT"
mkdir -p .data
# The same development key as the API (the worker signs nothing, but the
# settings refuse a weak key outside development).
if [[ -z "${SECRET_KEY:-}" && -s .data/secret_key ]]; then
  SECRET_KEY="$(cat .data/secret_key)"
  export SECRET_KEY
fi
export MONGODB_URL="${MONGODB_URL:-mongodb://127.0.0.1:${DB_PORT:-27017}/?directConnection=true}"
exec "$BACKEND/.venv/bin/vidvault-worker"
