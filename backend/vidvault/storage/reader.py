"""Reading a byte range of a file: index-backed chunk queries, bounded batches.

A range maps to chunk numbers `start // chunk_size .. end // chunk_size`,
fetched with one `(files_id, n)` range query in batches of a bounded number
of chunks. The cost of a seek does not grow with the file, and one reader
holds at most two batches: the one being consumed and the next, read ahead.
Every batch is reserved in the process's MemoryBudget before it is read.
Pieces are views into the driver's replies, not copies (chunk_replies.py).
"""

import asyncio
import os
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from bson import ObjectId
from pymongo.asynchronous.cursor import AsyncCursor

from vidvault.storage.chunk_replies import ChunkCursor
from vidvault.storage.layout import Collections, Doc
from vidvault.storage.memory_budget import MemoryBudget

# How many bytes one round trip to the database may bring back. Bounded
# (MongoDB caps replies at 16 MiB and the embedded server does not), small
# enough that one reader holds only a few chunks, large enough to amortise
# the round trip.
READ_BATCH_BYTES = 2 * 1024 * 1024
# Chunk batch reads in flight at once in this process, over every reader. The
# database serves bulk batches one after another; a bounded queue of them keeps
# a small query (a library page, a search, a login) from waiting behind sixteen
# streams' worth of chunks. Two rather than four: under 16 streams, search p99
# 31-32 ms against 48-50 and list p99 40-46 ms against 60-70, for 16-stream
# throughput 0.97-0.99x the raw driver against 1.03-1.13x (bench/NOTES.md).
# Writes are not counted: measured, that halved stream throughput while slow
# inserts held the slots (bench/results.md).
CHUNK_IO_SLOTS = 2

# A chunk's bytes, or the part of them in a range: a view into a batch's reply.
type Piece = bytes | memoryview

_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def chunk_io_slot() -> asyncio.Semaphore:
    """The process's chunk read slots (one set per event loop)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(CHUNK_IO_SLOTS)
    return slots


class CorruptFile(Exception):
    """A chunk is missing or short: the file cannot be read on."""


@dataclass(frozen=True, slots=True)
class ChunkSpan:
    """The chunks that hold one byte range, and where the range cuts them."""

    first: int
    last: int
    skip_in_first: int
    keep_in_last: int  # bytes of the last chunk that belong to the range

    @classmethod
    def of(cls, start: int, end: int, chunk_size: int) -> "ChunkSpan":
        """The span of bytes `start..end`, both inclusive."""
        return cls(
            first=start // chunk_size,
            last=end // chunk_size,
            skip_in_first=start % chunk_size,
            keep_in_last=end % chunk_size + 1,
        )

    def cut(self, n: int, data: Piece) -> Piece:
        """The part of chunk `n` that lies in the range."""
        end = self.keep_in_last if n == self.last else len(data)
        start = self.skip_in_first if n == self.first else 0
        if start == 0 and end == len(data):
            return data
        return data[start:end]


class RangeReader:
    """The bytes `start..end` (inclusive) of one file, as pieces of at most one chunk.

    The next batch of chunks is fetched while the current one is consumed, so
    the database and the consumer work at the same time. Use it as an async
    context manager (`async with RangeReader(...) as pieces:`), which closes it
    however the reading ends, early or cancelled.
    """

    def __init__(
        self,
        collections: Collections,
        budget: MemoryBudget,
        file_id: ObjectId,
        chunk_size: int,
        start: int,
        end: int,
    ) -> None:
        self.file_id = file_id
        self._span = ChunkSpan.of(start, end, chunk_size)
        self._chunk_size = chunk_size
        self._batch_size = max(2, READ_BATCH_BYTES // chunk_size)
        self._budget = budget
        self._reserved: deque[int] = deque()  # per batch read and not yet consumed
        self._unread = self._span.last - self._span.first + 1  # chunks not yet fetched
        self._cursor: AsyncCursor[Doc] = ChunkCursor(
            collections.chunks,
            {"files_id": file_id, "n": {"$gte": self._span.first, "$lte": self._span.last}},
            projection={"_id": False, "n": True, "data": True},
            sort=[("n", 1)],
            batch_size=self._batch_size,
        )
        self._ahead: asyncio.Task[list[Doc]] | None = None

    async def __aenter__(self) -> "RangeReader":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop reading: cancel the batch read ahead and close the cursor."""
        if self._ahead is not None and not self._ahead.done():
            self._ahead.cancel()
            await asyncio.wait([self._ahead])
        while self._reserved:
            self._budget.release(self._reserved.popleft())
        await self._cursor.close()

    def __aiter__(self) -> AsyncIterator[Piece]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[Piece]:
        span = self._span
        expected = span.first
        self._ahead = asyncio.ensure_future(self._next_batch())
        while batch := await self._ahead:
            self._ahead = asyncio.ensure_future(self._next_batch())
            # Let the read-ahead send its getMore before this batch is sent: a send
            # the kernel takes whole never yields, and the database would idle
            # until it ends (bench/NOTES.md, "The database's chunk replies").
            await asyncio.sleep(0)
            for chunk in batch:
                if chunk["n"] != expected:
                    raise CorruptFile(f"chunk {expected} of {self.file_id} is missing")
                yield span.cut(expected, chunk["data"])
                expected += 1
            self._budget.release(self._reserved.popleft())
        if expected != span.last + 1:
            raise CorruptFile(f"file {self.file_id} ends before chunk {span.last}")

    async def _next_batch(self) -> list[Doc]:
        chunks = min(self._batch_size, self._unread)
        if chunks <= 0:
            return []
        self._reserved.append(await self._budget.reserve(chunks * self._chunk_size))
        async with chunk_io_slot():
            batch = await self._cursor.to_list(self._batch_size)  # one round trip: one batch
        self._unread -= len(batch)
        if not batch:  # chunks missing at the end: nothing to consume, nothing to hold
            self._budget.release(self._reserved.pop())
        return batch


class SeekableFile:
    """A whole stored file as an async file object: `read`, `seek`, `tell`, `size`.

    For code that reads like a file (a demuxer, an image decoder). Each
    `read` fetches only the chunks it covers, in bounded batches; the last
    chunk read is kept, so small sequential reads cost one query per chunk.
    """

    def __init__(
        self,
        collections: Collections,
        budget: MemoryBudget,
        file_id: ObjectId,
        length: int,
        chunk_size: int,
    ) -> None:
        self._collections = collections
        self._budget = budget
        self.file_id = file_id
        self.size = length
        self.chunk_size = chunk_size
        self._position = 0
        self._cached: tuple[int, Piece] | None = None

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    async def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes from the position (all the rest if negative); b"" at the end."""
        end = self.size if size < 0 else min(self.size, self._position + size)
        if end <= self._position:
            return b""
        span = ChunkSpan.of(self._position, end - 1, self.chunk_size)
        chunks = await self._whole_chunks(span.first, span.last)
        last, data = chunks[-1]
        # A copy, so that the chunk kept does not keep its batch's whole reply.
        self._cached = (last, data if isinstance(data, bytes) else bytes(data))
        self._position = end
        return b"".join(span.cut(n, data) for n, data in chunks)

    async def _whole_chunks(self, first: int, last: int) -> list[tuple[int, Piece]]:
        chunks: list[tuple[int, Piece]] = []
        if self._cached is not None and self._cached[0] == first:
            chunks.append(self._cached)
            first += 1
        if first > last:
            return chunks
        end = min(self.size, (last + 1) * self.chunk_size) - 1
        start = first * self.chunk_size
        async with RangeReader(
            self._collections, self._budget, self.file_id, self.chunk_size, start, end
        ) as reader:
            chunks.extend(enumerate([data async for data in reader], start=first))
        return chunks
