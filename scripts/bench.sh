#!/usr/bin/env bash
# `make bench`: its own database, API and load generator; results in bench/results.{md,json},
# and beside it results-resumable (tus uploads), results-media (issue 11: probe, poster,
# transcode, streaming beside a worker) and results-search (issue 15: search, share revocation).
source "$(dirname "$0")/env.sh"
backend_sync
cd "$ROOT/bench"
"$BACKEND/.venv/bin/python" run.py "$@"
"$BACKEND/.venv/bin/python" resumable.py "$@"  # both engines, the persistent default first
"$BACKEND/.venv/bin/python" media.py "$@"
exec "$BACKEND/.venv/bin/python" search.py "$@"
