#!/usr/bin/env bash
# `make test`: every test, lint included. The backend suite runs last, so its
# summary line closes the output.
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/lint.sh"
"$ROOT/scripts/frontend_test.sh"
cd "$BACKEND"
.venv/bin/pytest "$@"
