#!/usr/bin/env bash
# `make bench`: its own database, API and load generator; results in bench/results.{md,json}
# and, for resumable uploads, bench/results-resumable.{md,json}.
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT/bench"
"$BACKEND/.venv/bin/python" run.py "$@"
exec "$BACKEND/.venv/bin/python" resumable.py "$@"
