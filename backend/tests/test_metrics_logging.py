"""Access logs: one JSON line per request in production, readable text in development."""

import json
import logging
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tests.conftest import make_settings
from vidvault.main import create_app
from vidvault.observability.exchange import Exchange
from vidvault.observability.logging import APP_LOGGER, StdoutHandler
from vidvault.observability.metrics import Metrics
from vidvault.observability.middleware import ObservabilityMiddleware
from vidvault.observability.routes import RouteTemplates

ACCESS_FIELDS = {"method", "route", "path", "status", "duration_ms", "bytes", "request_bytes"}


def access_lines(out: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [entry for entry in entries if entry["logger"] == "vidvault.access"]


@pytest.mark.parametrize("settings_overrides", [{"environment": "production"}])
async def test_production_logs_one_json_line_per_request(
    client: httpx.AsyncClient, alice_video: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    stream_url = alice_video["stream_url"]
    response = await client.get(stream_url, headers={"Range": "bytes=0-999"})
    assert response.status_code == 206

    out = capsys.readouterr().out
    [entry] = access_lines(out)
    assert entry.keys() >= ACCESS_FIELDS
    assert entry["method"] == "GET"
    assert entry["route"] == "/api/v1/videos/{video_id}/stream"
    assert entry["path"] == stream_url.split("?")[0]
    assert entry["status"] == 206
    assert entry["bytes"] == 1000
    assert isinstance(entry["duration_ms"], float)
    assert entry["level"] == "info"
    # The stream token rides in the query string and must never reach a log.
    token = stream_url.split("token=")[1]
    assert token not in out


async def test_development_logs_readable_text(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (await client.get("/healthz")).status_code == 200
    [line] = [line for line in capsys.readouterr().out.splitlines() if "vidvault.access" in line]
    assert "GET /healthz -> 200" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


@pytest.mark.parametrize("settings_overrides", [{"log_format": "json"}])
async def test_log_format_can_be_forced_to_json_in_development(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (await client.get("/nope")).status_code == 404
    [entry] = access_lines(capsys.readouterr().out)
    assert (entry["route"], entry["status"]) == ("<unmatched>", 404)


def test_building_apps_repeatedly_keeps_one_log_handler(mongodb_url: str) -> None:
    for _ in range(3):
        create_app(make_settings(mongodb_url))
    handlers = logging.getLogger(APP_LOGGER).handlers
    assert sum(isinstance(handler, StdoutHandler) for handler in handlers) == 1


async def test_an_exception_before_the_response_is_recorded_as_500(mongodb_url: str) -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    seen: list[Exchange] = []
    metrics = Metrics()
    templates = RouteTemplates(create_app(make_settings(mongodb_url)))
    middleware = ObservabilityMiddleware(broken, metrics, templates, seen.append)
    scope: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        raise AssertionError("nothing may be sent")

    with pytest.raises(RuntimeError, match="boom"):
        await middleware(scope, receive, send)
    [exchange] = seen
    assert (exchange.status, exchange.route) == (500, "<unmatched>")
    labels = {"method": "GET", "route": "<unmatched>", "status": "500"}
    assert metrics.registry.get_sample_value("vidvault_http_requests_total", labels) == 1
