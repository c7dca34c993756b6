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
exec "$BACKEND/.venv/bin/uvicorn" vidvault.asgi:app --app-dir "$BACKEND" \
  --host "${API_HOST:-127.0.0.1}" --port "${API_PORT:-8000}" --proxy-headers \
  --no-access-log  # the app logs one line per request itself
