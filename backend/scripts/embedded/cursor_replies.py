"""Cursor replies of our stores, framed as OP_MSG with one copy of their bytes.

mongoeco's proxy encodes a reply by walking it value by value
(`encode_wire_value`, which copies every chunk's `data` into a new Binary),
encoding it with `bson`, then concatenating flags and header in front, twice:
four copies of every byte of a 2 MiB batch of chunks, on the event loop, where
16 streams' batches queue ahead of a search's reply (bench/NOTES.md). Here a
batch is laid out once: a chunk's bytes go from the row read to the message
in a single join, a document read unchanged (`doc_store.as_sent`) as the
bytes it was stored as, and only the small rest goes through the usual walk.
The message is the one mongoeco would send, byte for byte (tested).
"""

import struct
from typing import Any

import bson
from bson.raw_bson import RawBSONDocument
from mongoeco.wire.bson_bridge import encode_wire_value
from mongoeco.wire.protocol import OP_MSG

from scripts.embedded.chunk_cursors import Sendable

HEADER = struct.Struct("<iiii")  # messageLength, requestID, responseTo, opCode
FRAME_BYTES = HEADER.size + 5  # the header, flagBits (0) and the body section's kind (0)
INT32 = struct.Struct("<i")
DATA_KEY = "data"
INT32_RANGE = range(-(2**31), 2**31)

type Piece = bytes | memoryview


class EncodedReply(dict[str, Any]):
    """A reply document together with its message; the proxy sends the message.

    It stays a plain reply document too, so that any other path (an error, a
    suppressed answer) can still encode it the usual way.
    """

    __slots__ = ("_message",)
    _message: bytearray

    def framed(self, request_id: int, response_to: int) -> bytearray:
        HEADER.pack_into(self._message, 0, len(self._message), request_id, response_to, OP_MSG)
        return self._message


def _document_parts(doc: Sendable) -> list[Piece]:
    """Pieces whose concatenation is the document's BSON, with no chunk bytes copied."""
    if isinstance(doc, RawBSONDocument):
        return [doc.raw]
    data = doc.get(DATA_KEY)
    if type(data) is not bytes or next(reversed(doc)) != DATA_KEY:
        return [bson.encode(encode_wire_value(doc))]
    rest = bson.encode(encode_wire_value({k: v for k, v in doc.items() if k != DATA_KEY}))
    data_head = b"\x05" + DATA_KEY.encode() + b"\x00" + INT32.pack(len(data)) + b"\x00"
    size = len(rest) + len(data_head) + len(data)
    return [INT32.pack(size), rest[4:-1], data_head, data, b"\x00"]


def _element(kind: bytes, name: str) -> bytes:
    return kind + name.encode() + b"\x00"


def _wrapped(kind: bytes, name: str, parts: list[Piece]) -> list[Piece]:
    """An embedded document or array element holding `parts` (its elements)."""
    size = 4 + sum(len(part) for part in parts) + 1
    return [_element(kind, name), INT32.pack(size), *parts, b"\x00"]


def _cursor_id(cursor_id: int) -> bytes:
    # As bson encodes a Python int: int32 when it fits, else int64.
    if cursor_id in INT32_RANGE:
        return _element(b"\x10", "id") + INT32.pack(cursor_id)
    return _element(b"\x12", "id") + struct.pack("<q", cursor_id)


def cursor_reply(batch_key: str, batch: list[Sendable], cursor_id: int, ns: str) -> EncodedReply:
    """`{"cursor": {batch_key: batch, "id": cursor_id, "ns": ns}, "ok": 1.0}`, encoded."""
    items: list[Piece] = []
    for index, doc in enumerate(batch):
        parts = _document_parts(doc)
        items += [_element(b"\x03", str(index)), *parts]
    name = ns.encode()
    cursor: list[Piece] = [
        *_wrapped(b"\x04", batch_key, items),
        _cursor_id(cursor_id),
        _element(b"\x02", "ns") + INT32.pack(len(name) + 1) + name + b"\x00",
    ]
    body: list[Piece] = [
        *_wrapped(b"\x03", "cursor", cursor),
        _element(b"\x01", "ok") + struct.pack("<d", 1.0),
    ]
    body_size = 4 + sum(len(part) for part in body) + 1
    reply = EncodedReply({"cursor": {batch_key: batch, "id": cursor_id, "ns": ns}, "ok": 1.0})
    reply._message = bytearray().join([bytes(FRAME_BYTES), INT32.pack(body_size), *body, b"\x00"])
    return reply
