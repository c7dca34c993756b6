#!/usr/bin/env bash
# `make sample-video`: a 5-second real MP4 (clip.mp4) for the README's walk-through.
source "$(dirname "$0")/env.sh"
backend_sync
"$BACKEND/.venv/bin/python" "$BACKEND/scripts/make_sample_video.py" "${1:-clip.mp4}"
