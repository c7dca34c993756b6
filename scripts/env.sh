# Sourced by the other scripts: finds Python 3.13 and uv, never downloading a toolchain.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKEND="$ROOT/backend"
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT="$BACKEND/.venv"

find_python313() {
  local candidate
  for candidate in ${UV_PYTHON:-} python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python 3.13 not found: install it (pyenv install 3.13) or set UV_PYTHON" >&2
  return 1
}

UV_PYTHON="$(find_python313)"
export UV_PYTHON

# uv runs as a module of the machine's python3, installed on first use.
uv() {
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "installing uv ..." >&2
    python3 -m pip install --quiet --disable-pip-version-check uv >&2
  fi
  python3 -m uv "$@"
}

backend_sync() {
  (cd "$BACKEND" && uv sync --frozen --quiet)
}
