#!/bin/sh
# Writes /config.js from API_URL when the container starts (nginx's entrypoint
# runs every script in /docker-entrypoint.d/). One image then serves any API.
#   API_URL=https://api.example.com   the API's origin
#   API_URL unset or empty            the page's own origin (an Ingress routes /api)
set -eu

target="${CONFIG_JS_PATH:-/tmp/vidvault/config.js}"
api_url="${API_URL:-}"

# The value lands inside JavaScript: accept a plain http(s) origin or base URL only.
if [ -n "$api_url" ] && ! printf '%s' "$api_url" | grep -Eq '^https?://[]A-Za-z0-9.:_/[-]+$'; then
    echo "API_URL must be an http(s) URL without quotes or spaces, got: $api_url" >&2
    exit 1
fi

mkdir -p "$(dirname "$target")"
if [ -n "$api_url" ]; then
    value="\"$api_url\""
else
    value="window.location.origin"
fi
printf 'window.VIDVAULT_CONFIG = { apiUrl: %s };\n' "$value" > "$target"
echo "config.js: apiUrl = $value"
