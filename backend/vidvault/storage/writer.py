"""Writing a file: bounded, pipelined chunk batches; the file document last.

A file is visible to readers (it has an `fs.files` document) only once every
chunk is stored and counted. Until then it is an unfinished file: chunks
without a document, which the sweeper collects unless something owns them.

An unfinished file can be continued later, by any process, at the offset it
was left at (`FileStorage.open_append`, from `stored_head`): its partial last
chunk is stored like any other chunk and read back when the next write
begins, so nothing of it lives in a process between two writes.
"""

import asyncio
from contextlib import suppress
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import anyio
from bson import Int64, ObjectId
from pymongo import InsertOne, ReplaceOne
from pymongo.errors import DuplicateKeyError

from vidvault.storage.layout import Collections, Doc, StoredFile, chunk_count, chunk_document

# Chunk documents sent in one insert. The driver's own writer buffers up to
# 48 MB and stops receiving while it inserts; a bounded batch with one insert
# in flight while the next fills keeps memory flat and the body flowing.
WRITE_BATCH_BYTES = 2 * 1024 * 1024


class MissingChunks(Exception):
    """Chunks of an unfinished file are gone (swept while it paused): it cannot be finished."""


class FileWriter:
    """One file, written in chunks as its bytes arrive; see the module docstring.

    Use `close()` to make the file whole and visible, `suspend()` to store
    everything received and leave the file unfinished (to append later), or
    `abort()` to remove everything of it. As an async context manager it
    closes on success and aborts on error.
    """

    def __init__(
        self,
        collections: Collections,
        file_id: ObjectId,
        chunk_size: int,
        filename: str,
        metadata: Doc,
        *,
        offset: int = 0,
        head: bytes = b"",
    ) -> None:
        self._chunks = collections.chunks
        self._files = collections.files
        self.file_id = file_id
        self.chunk_size = chunk_size
        self.filename = filename
        self.metadata = metadata
        self.length = offset
        self._batch_limit = max(2, WRITE_BATCH_BYTES // chunk_size)
        self._next_n = offset // chunk_size
        # A stored partial chunk that this write continues: replaced, not inserted.
        self._replace_n = self._next_n if head else None
        self._pending: list[bytes | memoryview] = [head] if head else []
        self._pending_bytes = len(head)
        self._batch: list[Doc] = []
        self._in_flight: asyncio.Task[Any] | None = None
        self.closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None:
            await self.abort()
        elif not self.closed:
            await self.close()

    async def write(self, data: bytes | memoryview) -> None:
        # Pieces are views of the received bytes: each byte is copied once, by
        # the join that makes its chunk.
        self.length += len(data)
        view = memoryview(data)
        while len(view) >= (room := self.chunk_size - self._pending_bytes):
            self._pending.append(view[:room])
            view = view[room:]
            self._add_chunk(b"".join(self._pending))
            self._pending.clear()
            self._pending_bytes = 0
        if view:
            self._pending.append(view)
            self._pending_bytes += len(view)
        if len(self._batch) >= self._batch_limit:
            await self._send_batch()

    async def suspend(self) -> int:
        """Store everything received, the partial last chunk too; the file stays unfinished.

        Returns the number of bytes stored, the offset to append at next time.
        """
        if self._pending:
            self._add_chunk(b"".join(self._pending))
            self._pending.clear()
            self._pending_bytes = 0
        await self._send_batch()
        await self._wait_in_flight()
        return self.length

    async def close(self) -> StoredFile:
        """Store the rest, check every chunk is there, then write the file document."""
        await self.suspend()
        stored = await self._chunks.count_documents({"files_id": self.file_id})
        if stored != chunk_count(self.length, self.chunk_size):
            raise MissingChunks(f"file {self.file_id} has {stored} chunks stored")
        document = {
            "_id": self.file_id,
            "length": Int64(self.length),
            "chunkSize": self.chunk_size,
            "uploadDate": datetime.now(UTC),
            "filename": self.filename,
            "metadata": self.metadata,
        }
        # A duplicate: closed by an earlier attempt that failed after this point.
        with suppress(DuplicateKeyError):
            await self._files.insert_one(document)
        self.closed = True
        return StoredFile.from_document(document)

    async def abort(self) -> None:
        """Remove every chunk of the file; an insert still in flight is let finish first.

        Shielded: the cleanup runs even when the caller is being cancelled.
        """
        with anyio.CancelScope(shield=True):
            if self._in_flight is not None:
                await asyncio.wait([self._in_flight])
                if not self._in_flight.cancelled():
                    self._in_flight.exception()  # retrieved; the caller already failed
            self._batch.clear()
            await delete_files(Collections(self._files, self._chunks), [self.file_id])

    def _add_chunk(self, data: bytes) -> None:
        self._batch.append(chunk_document(self.file_id, self._next_n, data))
        self._next_n += 1

    async def _send_batch(self) -> None:
        await self._wait_in_flight()
        if self._batch:
            batch, self._batch = self._batch, []
            self._in_flight = asyncio.ensure_future(self._insert(batch))
            # Let the insert go out now: bytes already received (a read-ahead,
            # the server's buffer) would otherwise be consumed without a pause
            # first, and the database would wait for the next batch to fill.
            await asyncio.sleep(0)

    async def _insert(self, batch: list[Doc]) -> None:
        if self._replace_n is None or batch[0]["n"] != self._replace_n:
            await self._chunks.insert_many(batch)
            return
        first, rest = batch[0], batch[1:]
        self._replace_n = None
        operations: list[ReplaceOne[Doc] | InsertOne[Doc]] = [
            ReplaceOne({"files_id": self.file_id, "n": first["n"]}, first, upsert=True),
            *(InsertOne(chunk) for chunk in rest),
        ]
        await self._chunks.bulk_write(operations, ordered=True)

    async def _wait_in_flight(self) -> None:
        if self._in_flight is not None:
            # Shielded: a cancelled caller must not cut an insert in half
            # behind abort's back; abort waits for it instead.
            await asyncio.shield(self._in_flight)
            self._in_flight = None


async def stored_head(
    collections: Collections,
    file_id: ObjectId,
    chunk_size: int,
    offset: int,
    *,
    drop_past_offset: bool = True,
) -> bytes:
    """What a writer continuing the unfinished file `file_id` at `offset` starts from.

    That is the partial chunk at the offset, read back from the database, to
    be continued (and replaced). Chunks past the offset (left by a writer that
    died before it could record how far it got) are dropped first, unless the
    caller knows there can be none (`drop_past_offset=False`: the last writer
    recorded its offset after storing everything), which saves a write.
    """
    last_whole, in_partial = divmod(offset, chunk_size)
    if drop_past_offset:
        await collections.chunks.delete_many(
            {"files_id": file_id, "n": {"$gt" if in_partial else "$gte": last_whole}}
        )
    if not in_partial:
        return b""
    chunk = await collections.chunks.find_one(
        {"files_id": file_id, "n": last_whole}, projection={"_id": False, "data": True}
    )
    if chunk is None or len(chunk["data"]) < in_partial:
        raise MissingChunks(f"file {file_id} lost its chunk {last_whole}")
    return bytes(chunk["data"][:in_partial])


async def delete_files(collections: Collections, file_ids: list[ObjectId]) -> None:
    """Remove files: their documents first, then their chunks.

    The one order, everywhere: should it stop halfway, what is left is
    chunks without a document, which no reader sees and the sweeper collects;
    never a document whose chunks are gone.
    """
    await collections.files.delete_many({"_id": {"$in": file_ids}})
    await collections.chunks.delete_many({"files_id": {"$in": file_ids}})
