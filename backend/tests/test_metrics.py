"""Metrics: Prometheus text on their own port, series per route template, bytes streamed and uploaded."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Account, upload

STREAM_ROUTE = "/api/v1/videos/{video_id}/stream"
VIDEO_ROUTE = "/api/v1/videos/{video_id}"


type Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
type Scrape = Callable[[], Awaitable[Samples]]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"metrics_port": 0}  # any free port


async def exposition(app: FastAPI) -> str:
    port = app.state.metrics_port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.fixture
def scrape(app: FastAPI) -> Scrape:
    async def samples() -> Samples:
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(await exposition(app))
            for sample in family.samples
        }

    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_is_prometheus_text_with_process_series(
    scrape: Scrape, client: httpx.AsyncClient
) -> None:
    samples = await scrape()
    names = {name for name, _ in samples}
    assert "process_cpu_seconds_total" in names
    assert "vidvault_uploads_in_flight" in names
    assert "vidvault_video_streamed_bytes_total" in names


async def test_requests_are_labelled_by_route_template_not_raw_path(
    app: FastAPI,
    scrape: Scrape,
    client: httpx.AsyncClient,
    alice: Account,
    alice_video: dict[str, Any],
) -> None:
    for _ in range(2):
        response = await client.get(f"/api/v1/videos/{alice_video['id']}", headers=alice.headers)
        assert response.status_code == 200
    missing = await client.get("/api/v1/videos/000000000000000000000000", headers=alice.headers)
    assert missing.status_code == 404

    assert alice_video["id"] not in await exposition(app)
    samples = await scrape()
    total = "vidvault_http_requests_total"
    assert value(samples, total, method="GET", route=VIDEO_ROUTE, status="200") == 2
    assert value(samples, total, method="GET", route=VIDEO_ROUTE, status="404") == 1
    count = "vidvault_http_request_duration_seconds_count"
    assert value(samples, count, method="GET", route=VIDEO_ROUTE) == 3


async def test_unknown_paths_and_methods_share_bounded_series(
    scrape: Scrape, client: httpx.AsyncClient
) -> None:
    for path in ("/nope/1", "/nope/2", "/wp-admin.php"):
        assert (await client.get(path)).status_code == 404
    assert (await client.request("BREW", "/healthz")).status_code == 405
    samples = await scrape()
    total = "vidvault_http_requests_total"
    assert value(samples, total, method="GET", route="<unmatched>", status="404") == 3
    assert value(samples, total, method="OTHER", route="/healthz", status="405") == 1


async def test_streamed_bytes_count_exactly_what_was_sent(
    scrape: Scrape, client: httpx.AsyncClient, alice_video: dict[str, Any]
) -> None:
    before = value(await scrape(), "vidvault_video_streamed_bytes_total")
    url = alice_video["stream_url"]
    partial = await client.get(url, headers={"Range": "bytes=100-5099"})
    assert partial.status_code == 206
    assert len(partial.content) == 5000
    whole = await client.get(url)
    assert whole.status_code == 200
    head = await client.head(url)
    assert head.status_code == 200

    samples = await scrape()
    assert (
        value(samples, "vidvault_video_streamed_bytes_total") - before == 5000 + alice_video["size"]
    )
    sent = value(
        samples, "vidvault_http_response_body_bytes_total", method="GET", route=STREAM_ROUTE
    )
    assert sent == 5000 + alice_video["size"]
    assert (
        value(
            samples, "vidvault_http_requests_total", method="HEAD", route=STREAM_ROUTE, status="200"
        )
        == 1
    )


async def test_upload_bytes_and_in_flight_gauge(
    scrape: Scrape, app: FastAPI, client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    boundary = "vidvault-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + mp4_bytes + tail
    in_flight_seen: list[float] = []

    async def slow_body() -> AsyncIterator[bytes]:
        # The app pulls the next part only after it has received the first one.
        yield body[:1000]
        in_flight_seen.append(app.state.metrics.uploads_in_flight._value.get())
        yield body[1000:]

    response = await client.post(
        "/api/v1/videos",
        headers={**alice.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=slow_body(),
    )
    assert response.status_code == 201, response.text
    assert in_flight_seen == [1.0]

    samples = await scrape()
    assert value(samples, "vidvault_uploads_in_flight") == 0
    assert value(samples, "vidvault_upload_received_bytes_total") == len(body)


async def test_rejected_upload_leaves_nothing_in_flight(
    scrape: Scrape, client: httpx.AsyncClient, alice: Account
) -> None:
    response = await upload(client, alice, b"this is not a video at all" * 100, "notes.mp4")
    assert response.status_code == 415
    samples = await scrape()
    assert value(samples, "vidvault_uploads_in_flight") == 0
    status = "vidvault_http_requests_total"
    assert value(samples, status, method="POST", route="/api/v1/videos", status="415") == 1


@pytest.mark.parametrize("settings_overrides", [{"docs_enabled": False, "metrics_port": 0}])
async def test_metrics_served_when_docs_are_off(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.get("/openapi.json")).status_code == 404
    assert "vidvault_http_requests_total" in await exposition(app)


async def test_metrics_are_not_served_on_the_api_port(
    client: httpx.AsyncClient, alice: Account
) -> None:
    # Per-route counts of 401s and 429s, process memory: nothing for the public.
    assert (await client.get("/metrics")).status_code == 404
    assert (await client.get("/metrics", headers=alice.headers)).status_code == 404


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_metrics_are_off_unless_a_port_is_set(app: FastAPI) -> None:
    assert app.state.metrics_port is None
