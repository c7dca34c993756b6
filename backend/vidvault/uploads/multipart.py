"""An incremental multipart/form-data reader over an ASGI byte stream.

It turns the body into a flat sequence of events as bytes arrive, so the
upload path can store a file part without ever holding it whole.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks


MAX_BOUNDARY_LENGTH = 70  # RFC 2046, section 5.1.1


class MalformedMultipart(ValueError):
    """The body is not the multipart/form-data its Content-Type announced."""


@dataclass(frozen=True, slots=True)
class PartStart:
    name: str
    filename: str | None
    header_bytes: int  # the part's header lines, as received


@dataclass(frozen=True, slots=True)
class PartData:
    data: memoryview  # a view of the received bytes: the file is never copied here


@dataclass(frozen=True, slots=True)
class PartEnd:
    pass


type MultipartEvent = PartStart | PartData | PartEnd


def boundary_from_content_type(content_type: str | None) -> bytes:
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise MalformedMultipart("expected a multipart/form-data body with a boundary")
    if len(boundary) > MAX_BOUNDARY_LENGTH:
        raise MalformedMultipart(f"the boundary is longer than {MAX_BOUNDARY_LENGTH} characters")
    return boundary


class _EventCollector:
    """Receives the parser's callbacks and queues them as events."""

    def __init__(self) -> None:
        self.events: list[MultipartEvent] = []
        self.finished = False
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._header_bytes = 0
        self._disposition: bytes | None = None

    def on_part_begin(self) -> None:
        self._disposition = None
        self._header_bytes = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]
        self._header_bytes += end - start

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        self._header_bytes += end - start

    def on_header_end(self) -> None:
        if bytes(self._header_field).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        kind, options = parse_options_header(self._disposition)
        if kind != b"form-data" or b"name" not in options:
            raise MalformedMultipart("each part needs Content-Disposition: form-data; name=...")
        filename = options.get(b"filename")
        self.events.append(
            PartStart(
                name=options[b"name"].decode("utf-8", "replace"),
                filename=filename.decode("utf-8", "replace") if filename is not None else None,
                header_bytes=self._header_bytes,
            )
        )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self.events.append(PartData(memoryview(data)[start:end]))

    def on_part_end(self) -> None:
        self.events.append(PartEnd())

    def on_end(self) -> None:
        self.finished = True


class MultipartReader:
    """Feed it the body chunk by chunk; it returns the events each chunk completes."""

    def __init__(self, boundary: bytes) -> None:
        self._collector = _EventCollector()
        try:
            self._parser = MultipartParser(boundary, callbacks=_callbacks(self._collector))
        except FormParserError as error:
            raise MalformedMultipart(f"unusable boundary: {error}") from error

    @property
    def finished(self) -> bool:
        """The closing boundary was read: whatever follows is an epilogue, to be ignored."""
        return self._collector.finished

    def feed(self, chunk: bytes) -> list[MultipartEvent]:
        try:
            # Events hold views of the chunk: it must be immutable bytes.
            self._parser.write(chunk if type(chunk) is bytes else bytes(chunk))
        except FormParserError as error:
            raise MalformedMultipart(f"malformed multipart body: {error}") from error
        events, self._collector.events = self._collector.events, []
        return events

    def end(self) -> None:
        if not self.finished:
            raise MalformedMultipart("the multipart body ended before its closing boundary")


def _callbacks(collector: _EventCollector) -> "MultipartCallbacks":
    return {
        "on_part_begin": collector.on_part_begin,
        "on_part_data": collector.on_part_data,
        "on_part_end": collector.on_part_end,
        "on_header_field": collector.on_header_field,
        "on_header_value": collector.on_header_value,
        "on_header_end": collector.on_header_end,
        "on_headers_finished": collector.on_headers_finished,
        "on_end": collector.on_end,
    }
