#!/usr/bin/env bash
# `make client`: regenerate the web app's typed API client from openapi/openapi.json.
set -euo pipefail
FRONTEND="$(cd "$(dirname "$0")/../frontend" && pwd)"
"$FRONTEND/scripts/ensure-deps.sh"
cd "$FRONTEND"
npm run --silent client
