"""A minimal HTTP/1.1 client on an asyncio protocol, for the load generator.

The load generator shares two cores with the database and the API, so it
must cost as little CPU per byte as possible, and drain its socket as fast as
a native client (curl, a browser): a client that reads slowly leaves the
kernel's send room short, and the API then sends each chunk in more pieces
with a wake-up each, which is CPU charged to the API. So a reply is received
with `recv_into` one reused buffer (no `bytes` per read, no reader buffer to
copy through), only the status line and Content-Length are parsed, and the
body is counted and dropped unless it is asked for.
"""

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

# One receive buffer per thread, shared by every connection of its event loop:
# asyncio's transport calls get_buffer, recv_into and buffer_updated in one
# callback, and each read is consumed before the callback returns. Measured
# against 64 KiB-1 MiB (bench/NOTES.md): from 256 KiB up the API's CPU per
# byte is the same; 256 KiB reads stay in the per-core cache (curl: 100 KiB).
RECEIVE_BLOCK = 256 * 1024
# The reader's buffer for clients on asyncio streams (resumable.py's tus
# client): asyncio's default (64 KiB) stops reading the socket at 128 KiB
# buffered, which shrinks the window and chops the server's writes into
# small sends with a wake-up each.
READER_LIMIT = 4 * 1024 * 1024
MAX_HEAD_BYTES = 64 * 1024
UPLOAD_BLOCK = 1024 * 1024
# An ISO-BMFF head, so the API's type sniffing accepts the synthetic upload as MP4.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(40)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body_bytes: int
    seconds: float  # request sent to last byte received
    body: bytes  # kept only when asked for


class HttpError(Exception):
    pass


def synthetic_video_block() -> bytes:
    """One MiB of incompressible bytes; uploads repeat it after the MP4 head."""
    return os.urandom(UPLOAD_BLOCK)


_buffers = threading.local()


def _receive_buffer() -> memoryview:
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:
        view = _buffers.view = memoryview(bytearray(RECEIVE_BLOCK))
    return view


def _parse_head(head: bytes) -> tuple[int, int]:
    """The status and the Content-Length (0 when absent) of a reply head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value)
    return status, 0


class _Exchange(asyncio.BufferedProtocol):
    """One request's connection: write flow control, and a reply counted as it arrives."""

    def __init__(self, bodyless: bool, keep_body: bool) -> None:
        loop = asyncio.get_running_loop()
        self.reply: asyncio.Future[tuple[int, int, bytes]] = loop.create_future()
        self._bodyless = bodyless  # a HEAD request: no body whatever the length says
        self._head: bytearray | None = bytearray()  # None once the head is parsed
        self._status = 0
        self._length = 0
        self._remaining = 0
        self._kept = bytearray() if keep_body else None
        self._writable: asyncio.Future[None] | None = None
        self._lost = False

    def get_buffer(self, sizehint: int) -> memoryview:
        return _receive_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        if self.reply.done():
            return  # anything past the announced body is not ours to count
        data = _receive_buffer()[:nbytes]
        if self._head is not None:
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0:
                if len(self._head) > MAX_HEAD_BYTES:
                    self.reply.set_exception(HttpError("reply head too long"))
                return
            self._status, self._length = _parse_head(bytes(self._head[:end]))
            if self._bodyless or self._status == 304:
                self._length = 0
            self._remaining = self._length
            data = memoryview(bytes(self._head[end + 4 :]))
            self._head = None
        self._take(data)

    def _take(self, data: memoryview) -> None:
        taken = min(len(data), self._remaining)
        if self._kept is not None:
            self._kept += data[:taken]
        self._remaining -= taken
        if self._remaining == 0:
            self.reply.set_result((self._status, self._length, bytes(self._kept or b"")))

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        if not self.reply.done():
            missing = (
                "before the reply head"
                if self._head is not None
                else f"with {self._remaining} body bytes missing"
            )
            self.reply.set_exception(HttpError(f"connection closed {missing}"))
        self._wake_writer()

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    async def drain(self) -> None:
        if self._lost:
            raise ConnectionResetError("connection lost while sending")
        if self._writable is not None:
            await self._writable
            if self._lost:
                raise ConnectionResetError("connection lost while sending")


async def request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | AsyncIterator[bytes] = b"",
    body_length: int | None = None,
    keep_body: bool = False,
) -> Reply:
    """One request on a fresh connection (as a browser seeking a video mostly does)."""
    loop = asyncio.get_running_loop()
    transport, exchange = await loop.create_connection(
        lambda: _Exchange(method == "HEAD", keep_body), "127.0.0.1", port
    )
    try:
        started = time.perf_counter()
        length = len(body) if isinstance(body, bytes) else body_length
        all_headers = {"host": f"127.0.0.1:{port}", "connection": "close"} | (headers or {})
        if length is not None and (length or method in ("POST", "PUT", "PATCH")):
            all_headers["content-length"] = str(length)
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in all_headers.items()
        )
        transport.write(head.encode("latin-1") + b"\r\n")
        if isinstance(body, bytes):
            transport.write(body)
        else:
            async for block in body:
                transport.write(block)
                await exchange.drain()
        await exchange.drain()
        status, received, kept = await exchange.reply
        return Reply(status, received, time.perf_counter() - started, kept)
    finally:
        transport.close()


def multipart_upload(
    size: int, block: bytes, filename: str = "bench.mp4"
) -> tuple[str, int, AsyncIterator[bytes]]:
    """A multipart/form-data body carrying a `size`-byte synthetic MP4, generated lazily."""

    async def content() -> AsyncIterator[bytes]:
        yield MP4_HEAD
        remaining = size - len(MP4_HEAD)
        while remaining > 0:
            piece = block if remaining >= len(block) else block[:remaining]
            remaining -= len(piece)
            yield piece

    return _multipart(filename, "video/mp4", size, content())


def multipart_file(path: Path, content_type: str) -> tuple[str, int, AsyncIterator[bytes]]:
    """A multipart/form-data body carrying a file from disk, read as it is sent."""

    async def content() -> AsyncIterator[bytes]:
        with path.open("rb") as file:
            while piece := file.read(UPLOAD_BLOCK):
                yield piece

    return _multipart(path.name, content_type, path.stat().st_size, content())


def _multipart(
    filename: str, content_type: str, size: int, content: AsyncIterator[bytes]
) -> tuple[str, int, AsyncIterator[bytes]]:
    boundary = "vidvaultbenchboundary" + os.urandom(8).hex()
    prefix = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()

    async def parts() -> AsyncIterator[bytes]:
        yield prefix
        async for piece in content:
            yield piece
        yield suffix

    form_type = f"multipart/form-data; boundary={boundary}"
    return form_type, len(prefix) + size + len(suffix), parts()
