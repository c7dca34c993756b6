"""The streamed upload: multipart body in, stored chunks out, nothing buffered whole.

Any failure on the way (a type we refuse, the size cap, a malformed body, a
client that disconnects, the database going away) removes what was written.
"""

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from vidvault.storage import FileStorage, FileWriter, MissingChunks
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


@dataclass(frozen=True, slots=True)
class ReceivedUpload:
    file_id: ObjectId
    filename: str
    video_type: VideoType
    size: int
    chunk_size: int
    title: str | None


class _FileSink:
    """Holds the first bytes until the type is known, then writes to storage."""

    def __init__(self, storage: FileStorage, client_filename: str | None, max_bytes: int):
        self._storage = storage
        self._client_filename = client_filename
        self._max_bytes = max_bytes
        self._head = bytearray()
        self.size = 0
        self.writer: FileWriter | None = None
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
        try:
            await self.writer.close()
        except MissingChunks as error:
            # Swept while the upload paused past the grace period: better a
            # failed upload than a video with a hole in it.
            raise UploadInterrupted from error

    async def discard(self) -> None:
        if self.writer is not None:
            await self.writer.abort()

    async def _start_storing(self) -> None:
        self.video_type = sniff_video_type(bytes(self._head[:SNIFF_BYTES]))
        if self.video_type is None:
            raise NotAVideo
        self.filename = sanitize_filename(self._client_filename, self.video_type.extension)
        metadata: dict[str, Any] = {"content_type": self.video_type.content_type}
        self.writer = self._storage.new_file(self.filename, metadata)
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
    def __init__(self, storage: FileStorage, max_bytes: int):
        self._storage = storage
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
        self.sink = _FileSink(self._storage, start.filename, self._max_bytes)
        return self.sink


def _title(reader: _UploadReader) -> str | None:
    field = reader.fields.get(TITLE_FIELD)
    return field.text() if field is not None else None


async def receive_upload(
    chunks: AsyncIterable[bytes],
    content_type: str | None,
    storage: FileStorage,
    max_bytes: int,
) -> ReceivedUpload:
    """Stream a multipart upload into storage; on any failure nothing is left stored."""
    try:
        boundary = boundary_from_content_type(content_type)
    except MalformedMultipart as error:
        raise InvalidUpload(f"{InvalidUpload.detail}: {error}") from error
    reader = _UploadReader(storage, max_bytes)
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
