"""Byte strings that sort and compare like BSON values, for SQLite columns.

MongoDB orders values first by type bracket (null < numbers < strings <
binary < ObjectId < booleans < dates), then by value. Encoding the bracket as
the first byte and the value order-preservingly after it lets SQLite compare
`files_id` and `_id` with plain `memcmp` and answer equality, ranges and
sorts from a B-tree. Two values get the same key exactly when MongoDB holds
them equal (1 and 1.0 included).

Only scalar types are encoded. A chunk whose `files_id` or `_id` is an
embedded document, an array or a rarer type is refused with a clear error:
GridFS never writes one.
"""

import math
import struct
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

NULL, NUMBER, STRING, BINARY, OBJECT_ID, BOOLEAN, DATE = 2, 3, 4, 7, 8, 9, 10
EXACT_FLOAT_INT = 2**53
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UnsupportedKey(ValueError):
    """A value this encoding cannot order exactly like MongoDB."""


def _number(value: float) -> bytes:
    if math.isnan(value):  # NaN sorts below every other number in MongoDB
        return bytes(8)
    value = value + 0.0  # -0.0 equals 0.0
    bits = struct.unpack(">Q", struct.pack(">d", value))[0]
    bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
    return struct.pack(">Q", bits)


def _integer(value: int) -> bytes:
    if abs(value) > EXACT_FLOAT_INT:
        raise UnsupportedKey(f"integer {value} is too large for an exact key")
    return _number(float(value))


def _date(value: datetime) -> bytes:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    millis = (aware - EPOCH) // _MILLISECOND
    return struct.pack(">Q", (millis + (1 << 63)) & 0xFFFFFFFFFFFFFFFF)


_MILLISECOND = datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC) - EPOCH


def _binary(data: bytes, subtype: int) -> bytes:
    # BSON orders binary by length, then subtype, then bytes.
    return struct.pack(">IB", len(data), subtype) + data


def _object_id_bytes(value: Any) -> bytes | None:
    binary = getattr(value, "binary", None)
    if type(value).__name__ == "ObjectId" and isinstance(binary, bytes) and len(binary) == 12:
        return binary
    return None


# In order of precedence: bool before int, as bool is an int in Python.
_ENCODERS: tuple[tuple[type | tuple[type, ...], int, Callable[[Any], bytes]], ...] = (
    (type(None), NULL, lambda _: b""),
    (bool, BOOLEAN, lambda value: b"\x01" if value else b"\x00"),
    (int, NUMBER, _integer),
    (float, NUMBER, _number),
    (str, STRING, lambda value: value.encode("utf-8", "surrogatepass")),
    (uuid.UUID, BINARY, lambda value: _binary(value.bytes, 4)),
    (bytes, BINARY, lambda value: _binary(bytes(value), int(getattr(value, "subtype", 0)))),
    (datetime, DATE, _date),
)


def _scalar_body(value: Any) -> tuple[int, bytes]:
    for kind, bracket, encode in _ENCODERS:
        if isinstance(value, kind):
            return bracket, encode(value)
    if (object_id := _object_id_bytes(value)) is not None:
        return OBJECT_ID, object_id
    return _wrapped_number(value)


def _wrapped_number(value: Any) -> tuple[int, bytes]:
    # mongoeco wraps Int64, Int32 and doubles it decodes in classes with `.value`.
    inner = getattr(value, "value", None)
    if type(value).__name__ in {"BsonInt64", "BsonInt32", "BsonDouble", "Int64"}:
        return _scalar_body(int(value) if inner is None else inner)
    raise UnsupportedKey(f"values of type {type(value).__name__} cannot be chunk keys")


def sort_key(value: Any) -> bytes:
    """The key of `value`; raises UnsupportedKey for types it cannot order exactly."""
    bracket, body = _scalar_body(value)
    return bytes([bracket]) + body


def bracket_bounds(value: Any) -> tuple[bytes, bytes]:
    """The smallest key of `value`'s type bracket, and the first key past it.

    MongoDB's range operators only match values of the operand's bracket.
    """
    bracket = sort_key(value)[0]
    return bytes([bracket]), bytes([bracket + 1])
