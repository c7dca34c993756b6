"""The multipart upload: a form body in, stored chunks out, nothing buffered whole.

The form may hold exactly one `file` part and at most one `title`; any other
field is refused at its first byte, and every byte that is not the file's
(part headers, the title, boundaries) counts towards MAX_FORM_BYTES.

Any failure on the way (a type we refuse, a size limit, a bad title, a
malformed body, a client that disconnects, the database going away) removes
what was written.
"""

from collections.abc import AsyncIterable
from dataclasses import dataclass

from bson import ObjectId

from vidvault.storage import FileStorage, FileWriter, MissingChunks
from vidvault.uploads import gate
from vidvault.uploads.exceptions import InvalidTitle, InvalidUpload, UploadInterrupted
from vidvault.uploads.gate import UploadGate
from vidvault.uploads.multipart import (
    MalformedMultipart,
    MultipartEvent,
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    boundary_from_content_type,
)
from vidvault.uploads.sniffing import SNIFF_BYTES, VideoType
from vidvault.videos.filenames import sanitize_filename

FILE_FIELD = "file"
TITLE_FIELD = "title"
# Everything in the body but the file's bytes: boundaries, part headers (the
# file name among them) and the title. Generous for any real form, and what
# bounds the memory and time a form without a file can cost (the parser
# itself allows 8 headers of 4 KiB per part).
MAX_FORM_BYTES = 16 * 1024
MAX_TITLE_FIELD_BYTES = 4096  # a title is at most 200 characters; blanks around it are cut


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

    def __init__(self, storage: FileStorage, upload_gate: UploadGate, client_filename: str | None):
        self._storage = storage
        self._gate = upload_gate
        self._client_filename = client_filename
        self._head = bytearray()
        self.writer: FileWriter | None = None
        self.video_type: VideoType | None = None
        self.filename = ""

    async def write(self, data: bytes | memoryview) -> None:
        self._gate.count(len(data))
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
        self.video_type = gate.video_type(bytes(self._head[:SNIFF_BYTES]))
        self.filename = sanitize_filename(self._client_filename, self.video_type.extension)
        metadata = {"content_type": self.video_type.content_type}
        self.writer = self._storage.new_file(self.filename, metadata)
        head, self._head = bytes(self._head), bytearray()
        await self.writer.write(head)


class _TitleField:
    def __init__(self) -> None:
        self._value = bytearray()
        self.title: str | None = None

    def write(self, data: bytes | memoryview) -> None:
        self._value += data
        if len(self._value) > MAX_TITLE_FIELD_BYTES:
            raise InvalidTitle

    def finish(self) -> None:
        try:
            text = self._value.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidUpload("The title must be UTF-8 text") from error
        self.title = gate.title(text)


class _FormReader:
    def __init__(self, storage: FileStorage, upload_gate: UploadGate):
        self._storage = storage
        self._gate = upload_gate
        self.sink: _FileSink | None = None
        self.title_field: _TitleField | None = None
        self._current: _FileSink | _TitleField | None = None
        self._form_bytes = 0
        self._part_overhead = 0

    async def read(self, chunks: AsyncIterable[bytes], boundary: bytes) -> None:
        parser = MultipartReader(boundary)
        self._part_overhead = len(boundary) + 8  # "--", the boundary and CRLFs around headers
        async for chunk in chunks:
            if parser.finished:
                # An epilogue: read to the end of the message (a body cut short
                # must not make a video), counted, never kept.
                self._count_form_bytes(len(chunk))
                continue
            for event in parser.feed(chunk):
                await self._handle(event)
        parser.end()

    def _count_form_bytes(self, size: int) -> None:
        self._form_bytes += size
        if self._form_bytes > MAX_FORM_BYTES:
            raise InvalidUpload(
                f"The form's fields and part headers take more than {MAX_FORM_BYTES} bytes"
            )

    async def _handle(self, event: MultipartEvent) -> None:
        match event:
            case PartStart():
                self._count_form_bytes(event.header_bytes + self._part_overhead)
                self._current = self._open_part(event)
            case PartData(data=data) if isinstance(self._current, _FileSink):
                await self._current.write(data)
            case PartData(data=data) if self._current is not None:
                self._count_form_bytes(len(data))
                self._current.write(data)
            case PartEnd() if isinstance(self._current, _FileSink):
                await self._current.finish()
                self._current = None
            case PartEnd() if self._current is not None:
                self._current.finish()
                self._current = None

    def _open_part(self, start: PartStart) -> _FileSink | _TitleField:
        if start.name == FILE_FIELD and self.sink is None:
            self.sink = _FileSink(self._storage, self._gate, start.filename)
            return self.sink
        if start.name == TITLE_FIELD and self.title_field is None:
            self.title_field = _TitleField()
            return self.title_field
        if start.name in {FILE_FIELD, TITLE_FIELD}:
            raise InvalidUpload(f"Send one '{start.name}' part, not several")
        raise InvalidUpload(
            f"Unknown form field {start.name[:40]!r}: send only 'file' and an optional 'title'"
        )


async def receive_form_upload(
    chunks: AsyncIterable[bytes],
    content_type: str | None,
    storage: FileStorage,
    upload_gate: UploadGate,
) -> ReceivedUpload:
    """Stream a multipart upload into storage; on any failure nothing is left stored."""
    try:
        boundary = boundary_from_content_type(content_type)
    except MalformedMultipart as error:
        raise InvalidUpload(f"{InvalidUpload.detail}: {error}") from error
    reader = _FormReader(storage, upload_gate)
    try:
        await reader.read(chunks, boundary)
        return _received(reader)
    except MalformedMultipart as error:
        await _discard(reader)
        raise InvalidUpload(f"{InvalidUpload.detail}: {error}") from error
    except BaseException:
        await _discard(reader)
        raise


def _received(reader: _FormReader) -> ReceivedUpload:
    sink = reader.sink
    if sink is None or sink.writer is None or sink.video_type is None:
        raise InvalidUpload("The form has no 'file' part")
    if not sink.writer.closed:
        raise InvalidUpload("The 'file' part was not terminated")
    return ReceivedUpload(
        file_id=sink.writer.file_id,
        filename=sink.filename,
        video_type=sink.video_type,
        size=sink.writer.length,
        chunk_size=sink.writer.chunk_size,
        title=reader.title_field.title if reader.title_field is not None else None,
    )


async def _discard(reader: _FormReader) -> None:
    if reader.sink is not None:
        await reader.sink.discard()
