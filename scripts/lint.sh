#!/usr/bin/env bash
# `make lint`: ruff (lint + format check) and mypy strict on the backend.
source "$(dirname "$0")/env.sh"
backend_sync
cd "$BACKEND"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
