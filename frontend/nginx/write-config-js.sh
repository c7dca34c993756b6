#!/bin/sh
# Writes /config.js from API_URL when the container starts (nginx's entrypoint
# runs every script in /docker-entrypoint.d/). One image then serves any API.
#   API_URL=https://api.example.com   the API's origin
#   API_URL unset or empty            the page's own origin (an Ingress routes /api)
#   UPLOAD_CHUNK_BYTES=1048576        bytes per resumable upload request (default 8 MiB),
#                                     for a proxy in front that caps request bodies
# Beside it, the Content-Security-Policy every page is sent with: the policy in
# content-security-policy, with the API's origin allowed where the app needs it
# (fetch, <video>, <img>); nginx reads it as $content_security_policy.
set -eu

target="${CONFIG_JS_PATH:-/tmp/vidvault/config.js}"
csp_target="${CSP_CONF_PATH:-/tmp/vidvault/csp.conf}"
csp_template="${CSP_TEMPLATE_PATH:-/etc/vidvault/content-security-policy}"
api_url="${API_URL:-}"

# The value lands inside JavaScript: accept a plain http(s) origin or base URL only.
if [ -n "$api_url" ] && ! printf '%s' "$api_url" | grep -Eq '^https?://[]A-Za-z0-9.:_/[-]+$'; then
    echo "API_URL must be an http(s) URL without quotes or spaces, got: $api_url" >&2
    exit 1
fi

chunk_bytes="${UPLOAD_CHUNK_BYTES:-}"
if [ -n "$chunk_bytes" ] && ! printf '%s' "$chunk_bytes" | grep -Eq '^[1-9][0-9]{0,11}$'; then
    echo "UPLOAD_CHUNK_BYTES must be a number of bytes, got: $chunk_bytes" >&2
    exit 1
fi

mkdir -p "$(dirname "$target")"
if [ -n "$api_url" ]; then
    value="\"$api_url\""
else
    value="window.location.origin"
fi
chunk_setting=""
if [ -n "$chunk_bytes" ]; then
    chunk_setting=", uploadChunkBytes: $chunk_bytes"
fi
printf 'window.VIDVAULT_CONFIG = { apiUrl: %s%s };\n' "$value" "$chunk_setting" > "$target"
echo "config.js: apiUrl = $value${chunk_setting}"

# Scheme, host and port only: a CSP source is an origin.
api_origin="$(printf '%s' "$api_url" | sed -E 's#^(https?://[^/]+).*#\1#')"
policy="$(sed "s#API_ORIGIN#$api_origin#g; s#  *# #g; s# ;#;#g" "$csp_template")"
mkdir -p "$(dirname "$csp_target")"
printf 'set $content_security_policy "%s";\n' "$policy" > "$csp_target"
echo "csp.conf: $policy"
