"""Finding 3: no header-size limit, no header or body timeouts.

Against a live API process, as every deployment runs it (python -m vidvault.server):
a header line that never ends, headers that trickle in, and a body sent at
one byte every five seconds each end the connection, soon and cheaply.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.faults.processes import ApiProcess, start_api, unique_db_name
from tests.limits.measure import watch_rss

HUGE_HEADER_BYTES = 200 * 1024 * 1024
PIECE = 1024 * 1024
MAX_RSS_GROWTH_MIB = 64
CLOSED_WITHIN_SECONDS = 10
HEAD_TIMEOUT_SECONDS = 2
BODY_WINDOW_SECONDS = 3


@pytest.fixture
async def api(mongodb_url: str) -> AsyncIterator[ApiProcess]:
    process = start_api(
        mongodb_url,
        unique_db_name(),
        http_head_timeout_seconds=HEAD_TIMEOUT_SECONDS,
        http_body_rate_window_seconds=BODY_WINDOW_SECONDS,
    )
    try:
        yield process
    finally:
        process.stop()


async def _connect(api: ApiProcess) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", api.port)


async def _answer_and_close(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    with contextlib.suppress(ConnectionError):
        return await asyncio.wait_for(reader.read(-1), CLOSED_WITHIN_SECONDS + 5)
    return b""


async def _trickle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes, interval: float
) -> tuple[bytes, float]:
    """Sends `data` one byte every `interval` seconds; the server's answer and when it closed."""
    started = time.monotonic()

    async def send() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in data:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(interval)

    sending = asyncio.create_task(send())
    answer = await _answer_and_close(reader)
    closed_after = time.monotonic() - started
    sending.cancel()
    writer.close()
    return answer, closed_after


async def test_a_200_mib_header_line_is_refused_early_and_costs_no_memory(api: ApiProcess) -> None:
    reader, writer = await _connect(api)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
    sent = 0
    started = time.monotonic()
    async with watch_rss(api) as rss:
        with contextlib.suppress(ConnectionError):
            while sent < HUGE_HEADER_BYTES:
                writer.write(b"a" * PIECE)
                await writer.drain()
                sent += PIECE
        answer = await _answer_and_close(reader)
        closed_after = time.monotonic() - started
    writer.close()
    print(
        f"huge header: closed after {sent // PIECE} MiB sent, {closed_after:.2f} s; "
        f"RSS {rss.baseline_mib:.0f} -> peak {rss.peak_mib:.0f} MiB (+{rss.peak_growth_mib:.1f})"
    )
    assert sent < HUGE_HEADER_BYTES  # the server stopped reading long before the end
    assert answer.startswith(b"HTTP/1.1 431 ") or answer == b""
    assert closed_after < CLOSED_WITHIN_SECONDS
    assert rss.peak_growth_mib < MAX_RSS_GROWTH_MIB


async def test_a_head_within_the_limit_is_served(api: ApiProcess) -> None:
    async with httpx.AsyncClient(base_url=api.url) as http:
        response = await http.get("/healthz", headers={"X-Padding": "p" * 16 * 1024})
    assert response.status_code == 200


async def test_headers_that_trickle_in_end_the_connection(api: ApiProcess) -> None:
    reader, writer = await _connect(api)
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 1000
    answer, closed_after = await _trickle(reader, writer, head, interval=0.5)
    print(f"trickled headers: closed after {closed_after:.2f} s")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert HEAD_TIMEOUT_SECONDS - 0.5 < closed_after < HEAD_TIMEOUT_SECONDS + 2


async def test_a_connection_that_sends_nothing_is_closed(api: ApiProcess) -> None:
    reader, writer = await _connect(api)
    started = time.monotonic()
    answer = await _answer_and_close(reader)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < HEAD_TIMEOUT_SECONDS + 2


async def test_a_body_at_one_byte_every_five_seconds_is_closed_within_the_window(
    api: ApiProcess,
) -> None:
    reader, writer = await _connect(api)
    body = b"username=someone%40example.com&password=secret-password"
    writer.write(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer, closed_after = await _trickle(reader, writer, body, interval=5)
    print(f"slow body: closed after {closed_after:.2f} s")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"arrived too slowly" in answer
    assert closed_after < BODY_WINDOW_SECONDS + 1.5


async def test_a_body_faster_than_the_minimum_rate_is_served(api: ApiProcess) -> None:
    # 2 KiB a second, twice the default minimum, over three windows.
    pieces = [b"x" * 1024 for _ in range(3 * BODY_WINDOW_SECONDS * 2)]

    async def steady() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        response = await http.post(
            "/api/v1/auth/login",
            content=steady(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 422  # not 408: the body was slow, but fast enough
