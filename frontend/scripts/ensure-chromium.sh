#!/usr/bin/env bash
# Debian's Chromium for the end-to-end tests (Playwright cannot download its own here).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $CHROMIUM and apt-get is unavailable: install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
SUDO=""
[[ "$(id -u)" -eq 0 ]] || SUDO="sudo"
echo "installing Chromium with apt-get ..." >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >&2
