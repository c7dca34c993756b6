"""A form of 50,000 fields against a live API process: refused early, at no memory cost.

The audit (issue 14, finding 2) sent 50,000 fields of 4,000 bytes and no
file part; every field was kept in memory until the request ended.
"""

import asyncio
import time
from collections.abc import Iterator

import pytest

from tests.faults.processes import (
    BOUNDARY,
    ApiProcess,
    access_token,
    start_api,
    unique_db_name,
    upload_head,
)
from tests.limits.measure import machine_slowdown, watch_rss

FIELDS = 50_000
FIELD_BYTES = 4_000
MAX_RSS_GROWTH_MIB = 64
MAX_SECONDS = 10.0


@pytest.fixture(scope="module")
def api(mongodb_url: str) -> Iterator[ApiProcess]:
    process = start_api(mongodb_url, unique_db_name())
    try:
        yield process
    finally:
        process.stop()


def _field(name: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + b"v" * FIELD_BYTES
        + b"\r\n"
    )


async def _send_flood(api: ApiProcess, token: str, name: str) -> tuple[bytes, float]:
    """Send the form as fast as the server takes it; what it answered, and when it ended."""
    started = time.monotonic()
    names = [name.format(n=n) for n in range(FIELDS)]
    total = sum(len(_field(name)) for name in names) + len(f"--{BOUNDARY}--\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(upload_head(api, token, total))
    try:
        for name in names:
            writer.write(_field(name))
            await writer.drain()
    except ConnectionError:
        pass  # the server answered and closed while we were still sending
    try:
        answer = await asyncio.wait_for(reader.read(-1), timeout=MAX_SECONDS)
    except ConnectionError:
        answer = b""  # closed with a reset: its answer may be lost, the point stands
    finally:
        writer.close()
    return answer, time.monotonic() - started


@pytest.mark.parametrize("name", ["field{n}", "title"], ids=["distinct-names", "titles"])
async def test_fifty_thousand_fields_are_refused_at_once_without_memory_growth(
    api: ApiProcess, name: str
) -> None:
    token = await access_token(api)
    async with watch_rss(api) as rss:
        answer, seconds = await _send_flood(api, token, name)
    # The time bound holds on a machine with a core to spare; scaled on a loaded one.
    assert seconds < MAX_SECONDS * machine_slowdown()
    assert rss.peak_growth_mib < MAX_RSS_GROWTH_MIB, f"RSS grew by {rss.peak_growth_mib:.0f} MiB"
    if answer:
        assert answer.startswith(b"HTTP/1.1 422"), answer[:200]
