#!/usr/bin/env bash
# `make api`: the API alone, against MONGODB_URL.
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT"
mkdir -p .data
# Development keeps one signing key across restarts, so logins survive them.
if [[ -z "${SECRET_KEY:-}" ]]; then
  [[ -s .data/secret_key ]] || python3 -c 'import secrets; print(secrets.token_urlsafe(48))' > .data/secret_key
  SECRET_KEY="$(cat .data/secret_key)"
  export SECRET_KEY
fi
export MONGODB_URL="${MONGODB_URL:-mongodb://127.0.0.1:${DB_PORT:-27017}/?directConnection=true}"
# uvicorn with the API's HTTP limits and proxy rules, as the image runs it
# (SECURITY.md, "Limits"). No proxy is trusted unless FORWARDED_ALLOW_IPS names
# it; metrics are served only if METRICS_PORT is set (on 127.0.0.1).
exec "$BACKEND/.venv/bin/python" -m vidvault.server \
  --host "${API_HOST:-127.0.0.1}" --port "${API_PORT:-8000}"
