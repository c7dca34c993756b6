#!/usr/bin/env bash
# The web app's checks: types, lint, client staleness, unit tests, then the
# end-to-end walk in Debian's Chromium against a real DB, API and web server.
# Extra arguments go to Playwright (e.g. a test file or --grep).
set -euo pipefail
FRONTEND="$(cd "$(dirname "$0")/../frontend" && pwd)"
"$FRONTEND/scripts/ensure-deps.sh"
"$FRONTEND/scripts/ensure-chromium.sh"
cd "$FRONTEND"
echo "== typecheck"; node_modules/.bin/tsc -b
echo "== lint"; node_modules/.bin/eslint --max-warnings=0 .
echo "== client"; node scripts/check-client.mjs
echo "== unit tests"; node_modules/.bin/vitest run
echo "== end-to-end"; node_modules/.bin/playwright test "$@"
