#!/usr/bin/env bash
# `make run`: database, API and web app, in the foreground; Ctrl-C stops all of it.
source "$(dirname "$0")/env.sh"
backend_sync

API_PORT="${API_PORT:-8000}"
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

wait_for_port() {  # host port name
  for _ in $(seq 1 600); do  # up to 2 minutes: the first run builds the web app
    if python3 -c "import socket,sys; socket.create_connection(('$1', $2), 0.2)" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$3 did not start on $1:$2" >&2
  return 1
}

if [[ -z "${MONGODB_URL:-}" ]]; then
  DB_PORT="${DB_PORT:-27017}"
  "$ROOT/scripts/db.sh" & pids+=($!)
  wait_for_port 127.0.0.1 "$DB_PORT" "the embedded database"
  export MONGODB_URL="mongodb://127.0.0.1:$DB_PORT/?directConnection=true"
  echo "database: embedded (data in $ROOT/.data), $MONGODB_URL"
else
  echo "database: $MONGODB_URL"
fi

WEB_PORT="${WEB_PORT:-5173}"
export CORS_ORIGINS="${CORS_ORIGINS:-http://127.0.0.1:$WEB_PORT,http://localhost:$WEB_PORT}"
"$ROOT/frontend/scripts/ensure-deps.sh"  # npm ci on the first run, before any port wait

API_PORT="$API_PORT" "$ROOT/scripts/api.sh" & pids+=($!)
wait_for_port 127.0.0.1 "$API_PORT" "the API"
"$ROOT/scripts/worker.sh" & pids+=($!)
API_URL="http://127.0.0.1:$API_PORT" WEB_PORT="$WEB_PORT" "$ROOT/scripts/web.sh" & pids+=($!)
wait_for_port 127.0.0.1 "$WEB_PORT" "the web app"
cat <<INFO

  Vidvault is running (Ctrl-C stops it)
    Web app   http://127.0.0.1:$WEB_PORT
    API       http://127.0.0.1:$API_PORT/api/v1
    API docs  http://127.0.0.1:$API_PORT/docs
    Worker    one, processing uploads (make worker starts more)

INFO
wait -n "${pids[@]}"
