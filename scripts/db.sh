#!/usr/bin/env bash
# `make db`: the embedded MongoDB stand-in, persistent (documents in mongoeco's SQLite engine,
# GridFS chunks in the launcher's chunk store; data under .data/).
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT"
exec "$BACKEND/.venv/bin/python" "$BACKEND/scripts/embedded_mongo.py" \
  --port "${DB_PORT:-27017}" --engine "${DB_ENGINE:-sqlite}" --path "${DB_PATH:-$ROOT/.data/vidvault.sqlite3}"
