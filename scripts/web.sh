#!/usr/bin/env bash
# `make web`: build the web app and serve it on WEB_PORT, talking to the API at API_URL.
set -euo pipefail
FRONTEND="$(cd "$(dirname "$0")/../frontend" && pwd)"
"$FRONTEND/scripts/ensure-deps.sh"
cd "$FRONTEND"
node_modules/.bin/vite build --logLevel warn
api_url="${API_URL:-http://127.0.0.1:8000}"
node scripts/write-config.mjs dist "$api_url"
exec node scripts/serve.mjs --root dist --host "${WEB_HOST:-127.0.0.1}" --port "${WEB_PORT:-5173}" \
  --api-url "$api_url"
