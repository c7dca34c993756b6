#!/usr/bin/env bash
# `make test`: every test, lint included.
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/lint.sh"
(cd "$BACKEND" && .venv/bin/pytest "$@")
"$ROOT/scripts/frontend_test.sh"
