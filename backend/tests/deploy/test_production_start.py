"""The backend as a real process: production refuses to start without a real secret.

Run exactly as the image runs it (python -m vidvault.server), in an empty
directory so that no .env file is read.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET

SERVER = [sys.executable, "-m", "vidvault.server"]
# Settings a developer's shell may hold must not leak into these runs.
SETTINGS = (
    "SECRET_KEY",
    "ENVIRONMENT",
    "MONGODB_URL",
    "MONGODB_DB",
    "LOG_FORMAT",
    "DOCS_ENABLED",
    "METRICS_PORT",
    "FORWARDED_ALLOW_IPS",
)


def environment(**settings: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    return inherited | {"ENVIRONMENT": "production"} | settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize(
    "secret",
    [None, "change-me", "short-but-not-placeholder", "a" * 32],
    ids=["missing", "placeholder", "too-short", "low-entropy"],
)
def test_production_refuses_to_start_without_a_real_secret(
    tmp_path: Path, secret: str | None
) -> None:
    env = environment() if secret is None else environment(SECRET_KEY=secret)
    result = subprocess.run(
        [*SERVER, "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value of at least 32 characters" in result.stderr


def test_production_starts_with_a_real_secret_and_logs_json(
    tmp_path: Path, mongodb_url: str
) -> None:
    # The control for the test above: the same command with a key does serve.
    port, metrics_port = free_port(), free_port()
    process = subprocess.Popen(
        [*SERVER, "--port", str(port)],
        cwd=tmp_path,
        # DOCS_ENABLED unset: production's default is off.
        env=environment(
            SECRET_KEY=TEST_SECRET, MONGODB_URL=mongodb_url, METRICS_PORT=str(metrics_port)
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the backend did not become ready"
            time.sleep(0.2)
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 404
        assert httpx.get(f"{base}/openapi.json", timeout=5).status_code == 404
        # Metrics on their own port only.
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 404
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
        assert "vidvault_http_requests_total" in metrics.text
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(lines) == len(out.splitlines()), f"every stdout line is JSON:\n{out}"
    access = [entry for entry in lines if entry["logger"] == "vidvault.access"]
    routes = {(entry["route"], entry["status"]) for entry in access}
    assert ("/readyz", 200) in routes
    # uvicorn's own lines (start-up, shutdown) are JSON too once the app is loaded.
    server_lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any("Application startup complete" in entry["message"] for entry in server_lines), err
