"""A minimal HTTP/1.1 client over asyncio streams, for the load generator.

The load generator shares two cores with the database and the API, so it
must cost as little CPU per byte as possible: no parsing beyond the status
line and Content-Length, bodies read in large blocks and dropped.
"""

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

READ_BLOCK = 1024 * 1024
# The reader's buffer: asyncio's default (64 KiB) stops reading the socket at
# 128 KiB buffered, which shrinks the window and chops the server's 1 MiB
# writes into small sends with a wake-up each; browsers and curl read with
# large buffers. Reads still return at most READ_BLOCK.
READER_LIMIT = 4 * 1024 * 1024
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


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def _drain(reader: asyncio.StreamReader, length: int, keep: bool) -> tuple[int, bytes]:
    kept = bytearray()
    remaining = length
    while remaining > 0:
        block = await reader.read(min(READ_BLOCK, remaining))
        if not block:
            raise HttpError(f"connection closed with {remaining} body bytes missing")
        remaining -= len(block)
        if keep:
            kept += block
    return length, bytes(kept)


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
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=READER_LIMIT)
    try:
        started = time.perf_counter()
        length = len(body) if isinstance(body, bytes) else body_length
        all_headers = {"host": f"127.0.0.1:{port}", "connection": "close"} | (headers or {})
        if length is not None and (length or method in ("POST", "PUT", "PATCH")):
            all_headers["content-length"] = str(length)
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in all_headers.items()
        )
        writer.write(head.encode("latin-1") + b"\r\n")
        if isinstance(body, bytes):
            writer.write(body)
        else:
            async for block in body:
                writer.write(block)
                await writer.drain()
        await writer.drain()
        status, reply_headers = await _read_head(reader)
        size = int(reply_headers.get("content-length", "0"))
        if method == "HEAD" or status == 304:
            size = 0
        received, kept = await _drain(reader, size, keep_body)
        return Reply(status, received, time.perf_counter() - started, kept)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


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
