"""Chunk batches without a copy of their bytes: views into the driver's reply.

The driver decodes each reply into Python objects, which copies every
chunk's `data` out of the message it has just received (a buffer of its own,
never reused). On a stream that copy, with the per-document decoding around
it, was about a tenth of the API's CPU (bench/NOTES.md). `ChunkCursor` is the
driver's find cursor with that step replaced: in a reply of the expected
shape (`cursor.firstBatch` or `cursor.nextBatch` holding documents of `n` and
`data`) each chunk becomes `{"n": int, "data": memoryview}`, a view into the
message, and every other field is decoded by the driver's own decoder. A reply
of any other shape (an error, a field type this parser does not know) is
decoded by the driver unchanged.

Replacing `_unpack_response` is how the driver customises its own raw-batch
cursor; it is not public API, so pymongo is pinned to the version this was
written against, and tests/test_chunk_replies.py checks the parsed replies
against the driver's decoding.

The views keep the whole reply alive until every chunk of the batch is
released, which is what the read budget counts for a batch (storage/reader).
"""

import struct
from collections.abc import Mapping, Sequence
from typing import Any

import bson
from bson.codec_options import CodecOptions
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.message import _OpMsg
from pymongo.typings import _DocumentOut

type Chunk = dict[str, Any]

_INT32 = struct.Struct("<i")
_INT64 = struct.Struct("<q")
_DOUBLE = struct.Struct("<d")
_DOCUMENT, _ARRAY, _BINARY = 0x03, 0x04, 0x05
_NUMBERS = {0x01: _DOUBLE, 0x10: _INT32, 0x12: _INT64}
_FIXED_SIZES = {
    0x01: 8,  # double
    0x07: 12,  # ObjectId
    0x08: 1,  # bool
    0x09: 8,  # UTC datetime
    0x0A: 0,  # null
    0x10: 4,  # int32
    0x11: 8,  # timestamp
    0x12: 8,  # int64
    0x13: 16,  # decimal128
    0x7F: 0,  # max key
    0xFF: 0,  # min key
}
_LENGTH_PREFIXED = {0x02, 0x0D, 0x0E}  # string, code, symbol: int32 length, then bytes
_SIZED = {_DOCUMENT, _ARRAY, 0x0F}  # documents, arrays, code with scope: int32 total size
_BATCHES = {"firstBatch", "nextBatch"}
_MAX_NAME_BYTES = 64  # longer field names do not occur in a chunk reply


class UnexpectedReply(Exception):
    """The reply is not of the shape parsed here: the driver decodes it."""


class _Element:
    __slots__ = ("end", "kind", "name", "start", "value")

    def __init__(self, kind: int, name: str, start: int, value: int, end: int) -> None:
        self.kind, self.name = kind, name
        self.start, self.value, self.end = start, value, end  # element, its value, past it


def _elements(buf: memoryview, start: int) -> list[_Element]:
    """The elements of the BSON document at `start`, as positions in `buf`."""
    (size,) = _INT32.unpack_from(buf, start)
    end = start + size - 1  # its trailing NUL
    if size < 5 or end >= len(buf) or buf[end] != 0:
        raise UnexpectedReply("a document's size does not match the reply")
    found: list[_Element] = []
    position = start + 4
    while position < end:
        name_start = position + 1
        name_length = bytes(buf[name_start : name_start + _MAX_NAME_BYTES]).find(b"\0")
        if name_length < 0:
            raise UnexpectedReply("a field name is too long")
        value = name_start + name_length + 1
        element = _Element(
            buf[position],
            bytes(buf[name_start : value - 1]).decode(),
            position,
            value,
            value + _value_size(buf, buf[position], value),
        )
        if element.end > end:
            raise UnexpectedReply("a field runs past its document")
        found.append(element)
        position = element.end
    return found


def _value_size(buf: memoryview, kind: int, value: int) -> int:
    if (fixed := _FIXED_SIZES.get(kind)) is not None:
        return fixed
    if kind in _LENGTH_PREFIXED:
        return 4 + int(_INT32.unpack_from(buf, value)[0])
    if kind in _SIZED:
        return int(_INT32.unpack_from(buf, value)[0])
    if kind == _BINARY:
        return 5 + int(_INT32.unpack_from(buf, value)[0])
    raise UnexpectedReply(f"BSON type {kind:#x}")  # regex, DBPointer, undefined


def _decoded(buf: memoryview, element: _Element, options: CodecOptions[Any]) -> Mapping[str, Any]:
    """One element, decoded by the driver's decoder as a document of its own."""
    body = bytes(buf[element.start : element.end])
    return bson.decode(_INT32.pack(len(body) + 5) + body + b"\0", options)


def _chunk(buf: memoryview, start: int) -> Chunk:
    chunk: Chunk = {}
    for field in _elements(buf, start):
        if field.name == "n" and field.kind in _NUMBERS:
            chunk["n"] = int(_NUMBERS[field.kind].unpack_from(buf, field.value)[0])
        elif field.name == "data" and field.kind == _BINARY and buf[field.value + 4] == 0:
            chunk["data"] = buf[field.value + 5 : field.end]  # generic binary: bytes
        else:
            raise UnexpectedReply(f"chunk field {field.name!r}")
    return chunk


def _batch(buf: memoryview, array: _Element) -> list[Chunk]:
    chunks = []
    for item in _elements(buf, array.value):
        if item.kind != _DOCUMENT:
            raise UnexpectedReply("a batch holds something other than documents")
        chunks.append(_chunk(buf, item.value))
    return chunks


def parse_chunk_reply(payload: memoryview, options: CodecOptions[Any]) -> dict[str, Any]:
    """A find or getMore reply over chunk documents, their `data` as views into `payload`."""
    reply: dict[str, Any] = {}
    for field in _elements(payload, 0):
        if field.name != "cursor" or field.kind != _DOCUMENT:
            reply |= _decoded(payload, field, options)
            continue
        cursor: dict[str, Any] = {}
        for part in _elements(payload, field.value):
            if part.name in _BATCHES and part.kind == _ARRAY:
                cursor[part.name] = _batch(payload, part)
            else:
                cursor |= _decoded(payload, part, options)
        reply["cursor"] = cursor
    if reply.get("ok") != 1 or "cursor" not in reply:
        raise UnexpectedReply("not a successful cursor reply")
    return reply


class ChunkCursor(AsyncCursor[dict[str, Any]]):
    """A find cursor over chunk documents whose `data` come as views (see above)."""

    def _unpack_response(
        self,
        response: _OpMsg,
        cursor_id: int | None,
        codec_options: CodecOptions[Mapping[str, Any]],
        user_fields: Mapping[str, Any] | None = None,
        legacy_response: bool = False,
    ) -> Sequence[_DocumentOut]:
        # An OP_MSG reply; a legacy OP_REPLY has no payload document.
        payload = getattr(response, "payload_document", None)
        if payload is not None and not legacy_response:
            try:
                return [parse_chunk_reply(memoryview(payload), codec_options)]
            except (UnexpectedReply, struct.error, IndexError, UnicodeDecodeError):
                pass  # the driver's decoding, below, raises what there is to raise
        return super()._unpack_response(
            response, cursor_id, codec_options, user_fields, legacy_response
        )
