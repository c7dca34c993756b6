"""Finding 6: stream clients that never read held the API's memory forever.

Against a live API process with its default limits: 100 stream requests
whose sockets never read are closed within 10 s of their stalling (the send
timeout), and the API's resident memory never grows by 64 MiB meanwhile, at
both chunk sizes that matter (the default 1 MiB, and 256 KiB).
"""

import asyncio
import errno
import fcntl
import os
import socket
import struct
import termios
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.faults.processes import ApiProcess, access_token, start_api, unique_db_name
from tests.limits.measure import machine_slowdown, watch_rss
from tests.media import encode_video

CLIENTS = 100
CLOSED_WITHIN_SECONDS = 10
MAX_RSS_GROWTH_MIB = 64
VIDEO_PADDING = 32 * 1024 * 1024  # far more than socket buffers hold


@pytest.fixture(params=[256 * 1024, 1024 * 1024], ids=["256KiB-chunks", "1MiB-chunks"])
async def api(mongodb_url: str, request: pytest.FixtureRequest) -> AsyncIterator[ApiProcess]:
    process = start_api(mongodb_url, unique_db_name(), gridfs_chunk_size=request.param)
    try:
        yield process
    finally:
        process.stop()


async def _stored_video(api: ApiProcess) -> tuple[str, bytes]:
    """The stream URL of a new video, and its bytes."""
    token = await access_token(api)
    content = encode_video("mp4", seconds=1) + os.urandom(VIDEO_PADDING)
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        created = await http.post(
            "/api/v1/videos",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("big.mp4", content)},
        )
    assert created.status_code == 201, created.text
    url: str = created.json()["stream_url"]
    return url, content


def _open_without_reading(api: ApiProcess, path: str) -> socket.socket:
    sock = socket.socket()
    # A small receive window, as a paused <video> or a hostile client keeps.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", api.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def _unread_bytes(sock: socket.socket) -> int:
    """Bytes waiting in the socket's receive queue (asked, so nothing is read)."""
    (unread,) = struct.unpack("i", fcntl.ioctl(sock, termios.FIONREAD, b"\0" * 4))
    return int(unread)


def _reset_by_server(sock: socket.socket) -> bool:
    """True once the server has cut the connection (read without consuming anything)."""
    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) in {errno.ECONNRESET, errno.EPIPE}:
        return True
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


async def test_streams_whose_clients_never_read_are_closed_and_freed(api: ApiProcess) -> None:
    path, content = await _stored_video(api)
    slowdown = machine_slowdown()
    async with watch_rss(api) as rss:
        started = time.monotonic()
        sockets = [_open_without_reading(api, path) for _ in range(CLIENTS)]
        # Per connection: from the moment the server could push no more (the
        # client's queue stopped growing) to the end of the connection. On a
        # loaded machine the last of a hundred streams may fill its buffers
        # many seconds after the first.
        queued = dict.fromkeys(sockets, 0)
        stalled_at = dict.fromkeys(sockets, started)
        open_for: dict[socket.socket, float] = {}
        try:
            while len(open_for) < CLIENTS:
                now = time.monotonic()
                for sock in set(sockets) - set(open_for):
                    # SO_ERROR clears once read: a socket seen reset is set aside.
                    if _reset_by_server(sock):
                        open_for[sock] = now - stalled_at[sock]
                    elif (unread := _unread_bytes(sock)) != queued[sock]:
                        queued[sock], stalled_at[sock] = unread, now
                assert now - started < 90, f"{CLIENTS - len(open_for)} still open after 90 s"
                await asyncio.sleep(0.1)
            closed_after = max(open_for.values())
            all_closed_after = time.monotonic() - started
            await asyncio.sleep(1)  # let the process finish freeing
            after_mib = api.rss_mib()
        finally:
            for sock in sockets:
                sock.close()
    print(
        f"{CLIENTS} stalled streams: each closed {closed_after:.2f} s at most after it stalled, "
        f"all after {all_closed_after:.2f} s; RSS "
        f"{rss.baseline_mib:.0f} -> peak {rss.peak_mib:.0f} (+{rss.peak_growth_mib:.0f}) -> "
        f"{after_mib:.0f} MiB after (+{after_mib - rss.baseline_mib:.0f}); "
        f"machine loaded {slowdown:.1f}x"
    )
    assert closed_after < CLOSED_WITHIN_SECONDS * slowdown
    # The memory bound holds however loaded the machine is.
    assert rss.peak_growth_mib < MAX_RSS_GROWTH_MIB
    assert after_mib - rss.baseline_mib < MAX_RSS_GROWTH_MIB
    # And the API still serves a reading client, every byte (sent in parts: see streaming.py).
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        ranged = await http.get(path, headers={"Range": "bytes=0-99"})
        whole = await http.get(path)
    assert ranged.status_code == 206
    assert ranged.content == content[:100]
    assert whole.content == content
