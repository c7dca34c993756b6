#!/usr/bin/env bash
# `make openapi`: regenerate the committed API contract from the app.
source "$(dirname "$0")/env.sh"
backend_sync
cd "$BACKEND"
.venv/bin/python scripts/export_openapi.py "$ROOT/openapi/openapi.json"
