"""The streamed upload: multipart body in, GridFS chunks out, nothing buffered whole.

Any failure on the way (a type we refuse, the size cap, a malformed body, a
client that disconnects, the database going away) removes what was written.
"""

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from bson import Int64, ObjectId

from vidvault.core.database import GridFSStore
from vidvault.videos.exceptions import (
    InvalidUpload,
    NotAVideo,
    UploadInterrupted,
    UploadTooLarge,
)
from vidvault.videos.filenames import sanitize_filename
from vidvault.videos.multipart import (
    MalformedMultipart,
    PartData,
    PartEnd,
    PartStart,
    boundary_from_content_type,
    read_multipart,
)
from vidvault.videos.sniffing import SNIFF_BYTES, VideoType, sniff_video_type

FILE_FIELD = "file"
TITLE_FIELD = "title"
MAX_FIELD_BYTES = 4096  # any non-file field: a title is at most a few hundred bytes
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers, a title
# Chunk documents sent in one insert_many. The driver's own writer buffers up to
# 48 MB and stops receiving while it inserts; a bounded batch with one insert in
# flight while the next fills keeps memory flat and the body flowing.
WRITE_BATCH_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReceivedUpload:
    file_id: ObjectId
    filename: str
    video_type: VideoType
    size: int
    chunk_size: int
    title: str | None


class _ChunkWriter:
    """One GridFS file written as the spec lays it out, in bounded, pipelined batches.

    Chunks are cut from the incoming bytes as soon as they are full; at most
    one batch is being inserted while the next one is filled. The file
    document goes last, so a file is only visible once all its chunks are.
    """

    def __init__(self, store: GridFSStore, filename: str, metadata: dict[str, Any]):
        self._chunks = store.chunks
        self._files = store.files
        self.chunk_size = store.chunk_size
        self.file_id = ObjectId()
        self._file_doc: dict[str, Any] = {"filename": filename, "metadata": metadata}
        self._batch_limit = max(2, WRITE_BATCH_BYTES // self.chunk_size)
        self._pending: list[memoryview] = []
        self._pending_bytes = 0
        self._batch: list[dict[str, Any]] = []
        self._in_flight: asyncio.Task[Any] | None = None
        self._next_n = 0
        self.length = 0
        self.closed = False

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

    async def close(self) -> None:
        if self._pending:
            self._add_chunk(b"".join(self._pending))
            self._pending.clear()
        await self._send_batch()
        await self._wait_in_flight()
        await self._check_every_chunk_is_stored()
        self._file_doc |= {
            "_id": self.file_id,
            "length": Int64(self.length),
            "chunkSize": self.chunk_size,
            "uploadDate": datetime.now(UTC),
        }
        await self._files.insert_one(self._file_doc)
        self.closed = True

    async def _check_every_chunk_is_stored(self) -> None:
        # An upload that paused for longer than the sweeper's grace period may
        # have lost its chunks to it: better a failed upload than a video with
        # a hole in it. One index-only count, before the file becomes visible.
        stored = await self._chunks.count_documents({"files_id": self.file_id})
        if stored != self._next_n:
            raise UploadInterrupted

    async def abort(self) -> None:
        """Remove every chunk written; an insert still in flight is let finish first."""
        if self._in_flight is not None:
            await asyncio.wait([self._in_flight])
            if not self._in_flight.cancelled():
                self._in_flight.exception()  # retrieved; the request already failed
        self._batch.clear()
        await self._chunks.delete_many({"files_id": self.file_id})
        await self._files.delete_one({"_id": self.file_id})

    def _add_chunk(self, data: bytes) -> None:
        self._batch.append({"files_id": self.file_id, "n": self._next_n, "data": data})
        self._next_n += 1

    async def _send_batch(self) -> None:
        await self._wait_in_flight()
        if self._batch:
            batch, self._batch = self._batch, []
            self._in_flight = asyncio.ensure_future(self._chunks.insert_many(batch))

    async def _wait_in_flight(self) -> None:
        if self._in_flight is not None:
            # Shielded: a cancelled request must not cut an insert in half
            # behind abort's back; abort waits for it instead.
            await asyncio.shield(self._in_flight)
            self._in_flight = None


class _FileSink:
    """Holds the first bytes until the type is known, then writes to GridFS."""

    def __init__(self, store: GridFSStore, client_filename: str | None, max_bytes: int):
        self._store = store
        self._client_filename = client_filename
        self._max_bytes = max_bytes
        self._head = bytearray()
        self.size = 0
        self.writer: _ChunkWriter | None = None
        self.video_type: VideoType | None = None
        self.filename = ""

    async def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise UploadTooLarge(self._max_bytes)
        if self.writer is not None:
            await self.writer.write(data)
            return
        self._head += data
        if len(self._head) >= SNIFF_BYTES:
            await self._start_storing()

    async def finish(self) -> None:
        if self.writer is None:
            await self._start_storing()
        assert self.writer is not None
        await self.writer.close()

    async def discard(self) -> None:
        if self.writer is not None:
            # Shielded: the cleanup must run even when the request is cancelled.
            with anyio.CancelScope(shield=True):
                await self.writer.abort()

    async def _start_storing(self) -> None:
        self.video_type = sniff_video_type(bytes(self._head[:SNIFF_BYTES]))
        if self.video_type is None:
            raise NotAVideo
        self.filename = sanitize_filename(self._client_filename, self.video_type.extension)
        metadata: dict[str, Any] = {"content_type": self.video_type.content_type}
        self.writer = _ChunkWriter(self._store, self.filename, metadata)
        head, self._head = bytes(self._head), bytearray()
        await self.writer.write(head)


class _FieldBuffer:
    def __init__(self) -> None:
        self._value = bytearray()

    def write(self, data: bytes | memoryview) -> None:
        self._value += data
        if len(self._value) > MAX_FIELD_BYTES:
            raise InvalidUpload("A form field other than 'file' is too long")

    def text(self) -> str:
        try:
            return self._value.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidUpload("Form fields must be UTF-8 text") from error


async def _capped(
    chunks: AsyncIterable[bytes], max_total: int, max_bytes: int
) -> AsyncIterator[bytes]:
    """The body, refused once it outgrows what any acceptable upload could be."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_total:
            raise UploadTooLarge(max_bytes)
        yield chunk


class _UploadReader:
    def __init__(self, store: GridFSStore, max_bytes: int):
        self._store = store
        self._max_bytes = max_bytes
        self.sink: _FileSink | None = None
        self.fields: dict[str, _FieldBuffer] = {}
        self._current: _FileSink | _FieldBuffer | None = None

    async def read(self, chunks: AsyncIterable[bytes], boundary: bytes) -> None:
        body = _capped(chunks, self._max_bytes + MULTIPART_OVERHEAD_BYTES, self._max_bytes)
        async for event in read_multipart(body, boundary):
            match event:
                case PartStart():
                    self._current = self._open_part(event)
                case PartData(data=data) if isinstance(self._current, _FileSink):
                    await self._current.write(data)
                case PartData(data=data) if self._current is not None:
                    self._current.write(data)
                case PartEnd() if isinstance(self._current, _FileSink):
                    await self._current.finish()
                    self._current = None
                case PartEnd():
                    self._current = None

    def _open_part(self, start: PartStart) -> _FileSink | _FieldBuffer:
        if start.name != FILE_FIELD:
            return self.fields.setdefault(start.name, _FieldBuffer())
        if self.sink is not None:
            raise InvalidUpload("Send exactly one 'file' part")
        self.sink = _FileSink(self._store, start.filename, self._max_bytes)
        return self.sink


def _title(reader: _UploadReader) -> str | None:
    field = reader.fields.get(TITLE_FIELD)
    return field.text() if field is not None else None


async def receive_upload(
    chunks: AsyncIterable[bytes],
    content_type: str | None,
    store: GridFSStore,
    max_bytes: int,
) -> ReceivedUpload:
    """Stream a multipart upload into GridFS; on any failure nothing is left stored."""
    try:
        boundary = boundary_from_content_type(content_type)
    except MalformedMultipart as error:
        raise InvalidUpload(f"{InvalidUpload.detail}: {error}") from error
    reader = _UploadReader(store, max_bytes)
    try:
        await reader.read(chunks, boundary)
        sink = reader.sink
        if sink is None or sink.writer is None or sink.video_type is None:
            raise InvalidUpload("The form has no 'file' part")
        if not sink.writer.closed:
            raise InvalidUpload("The 'file' part was not terminated")
        return ReceivedUpload(
            file_id=sink.writer.file_id,
            filename=sink.filename,
            video_type=sink.video_type,
            size=sink.size,
            chunk_size=sink.writer.chunk_size,
            title=_title(reader),
        )
    except MalformedMultipart as error:
        await _discard(reader)
        raise InvalidUpload(f"{InvalidUpload.detail}: {error}") from error
    except BaseException:
        await _discard(reader)
        raise


async def _discard(reader: _UploadReader) -> None:
    if reader.sink is not None:
        await reader.sink.discard()
