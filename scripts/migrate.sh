#!/usr/bin/env bash
# `make migrate FROM=<url> TO=<url>`: copy everything to another MongoDB, then verify.
source "$(dirname "$0")/env.sh"
backend_sync
if [[ -z "${FROM:-}" || -z "${TO:-}" ]]; then
  echo "usage: make migrate FROM=<source MongoDB URL> TO=<target MongoDB URL> [MONGODB_DB=vidvault]" >&2
  exit 2
fi
exec "$BACKEND/.venv/bin/vidvault" migrate --from "$FROM" --to "$TO"
