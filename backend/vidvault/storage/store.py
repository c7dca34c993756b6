"""`FileStorage`: the one entry point to stored files. See the package docstring."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from vidvault.storage import orphans, receive_buffers, writer
from vidvault.storage.layout import Collections, Doc, StoredFile, ensure_indexes
from vidvault.storage.memory_budget import MemoryBudget
from vidvault.storage.reader import RangeReader, SeekableFile
from vidvault.storage.writer import FileWriter


class FileNotFound(Exception):
    """No whole file has this id (never written, unfinished, or deleted)."""


# What the chunk batches of every reader in a process may hold together
# (the API takes CHUNK_READ_MEMORY_BYTES; a media child reads one file).
DEFAULT_READ_MEMORY_BYTES = 16 * 1024 * 1024


class FileStorage:
    def __init__(
        self,
        db: AsyncDatabase[Doc],
        chunk_size: int,
        read_memory_bytes: int = DEFAULT_READ_MEMORY_BYTES,
    ) -> None:
        # Every process that reads chunks has one: its driver skips zeroing reply buffers.
        receive_buffers.install()
        self._collections = Collections.of(db)
        self.chunk_size = chunk_size  # for new files; a stored file records its own
        self.read_budget = MemoryBudget(read_memory_bytes)

    async def ensure_indexes(self) -> None:
        await ensure_indexes(self._collections)

    # Writing

    def new_file(
        self, filename: str, metadata: Doc | None = None, *, file_id: ObjectId | None = None
    ) -> FileWriter:
        """A writer for a new file (a fresh id unless given); nothing is stored until written."""
        return FileWriter(
            self._collections, file_id or ObjectId(), self.chunk_size, filename, metadata or {}
        )

    async def write_file(
        self,
        data: bytes,
        filename: str,
        metadata: Doc | None = None,
        *,
        file_id: ObjectId | None = None,
    ) -> StoredFile:
        """Store a small whole file (a poster, a storyboard) in one go."""
        async with self.new_file(filename, metadata, file_id=file_id) as file:
            await file.write(data)
            return await file.close()

    async def open_append(
        self,
        file_id: ObjectId,
        chunk_size: int,
        offset: int,
        filename: str,
        metadata: Doc,
        *,
        drop_past_offset: bool = True,
    ) -> FileWriter:
        """A writer continuing the unfinished file `file_id` at `offset` (see writer.py)."""
        head = await writer.stored_head(
            self._collections, file_id, chunk_size, offset, drop_past_offset=drop_past_offset
        )
        return FileWriter(
            self._collections, file_id, chunk_size, filename, metadata, offset=offset, head=head
        )

    # Reading

    def read_range(
        self, file_id: ObjectId, chunk_size: int, start: int, end: int
    ) -> AbstractAsyncContextManager[RangeReader]:
        """The bytes `start..end` (inclusive) of a file whose chunk size the caller knows.

        `async with storage.read_range(...) as pieces: async for piece in pieces: ...`;
        leaving the block early, or being cancelled, stops the read.
        """
        return RangeReader(self._collections, self.read_budget, file_id, chunk_size, start, end)

    async def stat(self, file_id: ObjectId) -> StoredFile | None:
        """The whole file's description, or None."""
        doc = await self._collections.files.find_one({"_id": file_id})
        return StoredFile.from_document(doc) if doc is not None else None

    async def open_file(self, file_id: ObjectId) -> SeekableFile:
        """A whole file as an async seekable file object; FileNotFound if there is none."""
        stored = await self.stat(file_id)
        if stored is None:
            raise FileNotFound(str(file_id))
        return SeekableFile(
            self._collections, self.read_budget, file_id, stored.length, stored.chunk_size
        )

    async def read_file(self, file_id: ObjectId) -> bytes:
        """A small whole file's bytes (a poster); FileNotFound if there is none."""
        return await (await self.open_file(file_id)).read()

    # Removing

    async def delete(self, file_id: ObjectId) -> None:
        """Remove a file, whole or unfinished: document first, then chunks. Idempotent."""
        await writer.delete_files(self._collections, [file_id])

    async def delete_many(self, file_ids: list[ObjectId]) -> None:
        """`delete` for many files, in the same order."""
        await writer.delete_files(self._collections, file_ids)

    # For the sweeper

    def unowned_files(
        self, cutoff: datetime, owned: orphans.OwnedAmong
    ) -> AsyncIterator[list[ObjectId]]:
        """Batches of whole files closed before `cutoff` of which `owned` claims none."""
        return orphans.unowned_files(self._collections, cutoff, owned)

    def abandoned_unfinished_files(
        self, cutoff: datetime, owned: orphans.OwnedAmong
    ) -> AsyncIterator[list[ObjectId]]:
        """Batches of unfinished files not written to since `cutoff`, unowned."""
        return orphans.abandoned_unfinished_files(self._collections, cutoff, owned)
