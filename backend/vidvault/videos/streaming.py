"""The GridFS byte stream as an ASGI response.

Everything that can fail as an HTTP error (ownership, the Range header,
conditional requests) is decided before this response is built. Once the
first byte is out, a database failure can only end the connection.
"""

import asyncio
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from vidvault.videos.ranges import ByteRange

# How many bytes one round trip to the database may bring back. Bounded
# (MongoDB caps replies at 16 MiB and the embedded server does not), small
# enough that one stream holds only a few chunks, large enough to amortise
# the round trip.
READ_BATCH_BYTES = 2 * 1024 * 1024
# Chunk batch reads in flight at once in this process, over every stream. The
# database serves bulk batches one after another; a bounded queue of them keeps
# a small query (a library page, a login) from waiting behind sixteen streams'
# worth of chunks. Uploads are not counted: measured, that halved stream
# throughput while slow inserts held the slots (bench/results.md).
CHUNK_IO_SLOTS = 4

type Chunk = dict[str, Any]

_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def chunk_io_slot() -> asyncio.Semaphore:
    """The process's chunk I/O slots (one set per event loop)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(CHUNK_IO_SLOTS)
    return slots


class CorruptFile(Exception):
    """A chunk is missing: the stream cannot continue."""


@dataclass(frozen=True, slots=True)
class ChunkSpan:
    """The chunks that hold one byte range, and where the range cuts them."""

    first: int
    last: int
    skip_in_first: int
    keep_in_last: int  # bytes of the last chunk that belong to the range

    @classmethod
    def of(cls, byte_range: ByteRange, chunk_size: int) -> "ChunkSpan":
        return cls(
            first=byte_range.start // chunk_size,
            last=byte_range.end // chunk_size,
            skip_in_first=byte_range.start % chunk_size,
            keep_in_last=byte_range.end % chunk_size + 1,
        )


class GridFSRangeResponse(Response):
    def __init__(
        self,
        chunks: AsyncCollection[dict[str, Any]],
        file_id: ObjectId,
        chunk_size: int,
        byte_range: ByteRange,
        *,
        status_code: int,
        headers: dict[str, str],
        media_type: str,
        send_body: bool,
    ) -> None:
        super().__init__(status_code=status_code, headers=headers, media_type=media_type)
        self.headers["content-length"] = str(byte_range.length)
        self._chunks = chunks
        self._file_id = file_id
        self._chunk_size = chunk_size
        self._span = ChunkSpan.of(byte_range, chunk_size)
        self._batch_size = max(2, READ_BATCH_BYTES // chunk_size)
        self._send_body = send_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if not self._send_body:
            await send({"type": "http.response.body", "body": b""})
            return
        # The next batch is fetched while this one goes out, so the database
        # and the socket work at the same time; two batches are held at most.
        sender, receiver = anyio.create_memory_object_stream[list[Chunk]]()
        async with anyio.create_task_group() as group:
            # ASGI servers before spec 2.4 drop writes to a closed connection
            # silently: watch for the disconnect so a gone client stops the reads.
            group.start_soon(self._cancel_on_disconnect, receive, group.cancel_scope)
            group.start_soon(self._read_batches, sender)
            await self._send_chunks(receiver, send)
            group.cancel_scope.cancel()

    async def _cancel_on_disconnect(self, receive: Receive, scope: anyio.CancelScope) -> None:
        message: Message = {}
        while message.get("type") != "http.disconnect":
            message = await receive()
        scope.cancel()

    async def _send_chunks(
        self, receiver: MemoryObjectReceiveStream[list[Chunk]], send: Send
    ) -> None:
        span = self._span
        expected = span.first
        async with receiver:
            async for batch in receiver:
                for chunk in batch:
                    if chunk["n"] != expected:
                        raise CorruptFile(f"chunk {expected} of {self._file_id} is missing")
                    body = self._cut(chunk)
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                    expected += 1
        if expected != span.last + 1:
            raise CorruptFile(f"file {self._file_id} ends before chunk {span.last}")
        await send({"type": "http.response.body", "body": b""})

    async def _read_batches(self, sender: MemoryObjectSendStream[list[Chunk]]) -> None:
        span, size = self._span, self._batch_size
        cursor = self._chunks.find(
            {"files_id": self._file_id, "n": {"$gte": span.first, "$lte": span.last}},
            projection={"_id": False, "n": True, "data": True},
            sort=[("n", 1)],
            batch_size=size,
        )
        async with sender, cursor:
            while True:
                async with chunk_io_slot():
                    batch = await cursor.to_list(size)  # one round trip: one batch
                if not batch:
                    return
                try:
                    await sender.send(batch)
                except anyio.BrokenResourceError:
                    return  # the sending side stopped: its own error tells why

    def _cut(self, chunk: dict[str, Any]) -> bytes:
        data: bytes = chunk["data"]
        n, span = chunk["n"], self._span
        end = span.keep_in_last if n == span.last else len(data)
        start = span.skip_in_first if n == span.first else 0
        if start == 0 and end == len(data):
            return data
        return data[start:end]
