#!/usr/bin/env bash
# `make db`: the embedded MongoDB stand-in (SQLite engine, data under .data/).
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT"
exec "$BACKEND/.venv/bin/python" "$BACKEND/scripts/embedded_mongo.py" \
  --port "${DB_PORT:-27017}" --engine "${DB_ENGINE:-sqlite}" --path "${DB_PATH:-$ROOT/.data/vidvault.sqlite3}"
