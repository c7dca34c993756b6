"""Compound index keys as byte strings that SQLite orders like MongoDB's index.

Each field's value becomes its sort_keys.py key, escaped (0x00 -> 0x00 0xFF)
and terminated (0x00 0x00), so a concatenation of fields still compares
field by field with plain `memcmp`; a descending field has every byte
inverted. An array is indexed once per element (a multikey index), an empty
array as `undefined` (below null), a missing field as null: MongoDB's rules.

A value sort_keys.py cannot order (an embedded document, a regex, ...) still
gets a key that is equal exactly when the values' BSON is, so equality and
unique checks hold; the index is then marked unordered and never read for a
sort or a range.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import bson
from mongoeco.errors import OperationFailure
from mongoeco.wire.bson_bridge import encode_wire_value

from scripts.embedded.sort_keys import UnsupportedKey, sort_key

type Doc = dict[str, Any]

CANNOT_INDEX_PARALLEL_ARRAYS = 171
UNDEFINED = b"\x01"  # an empty array
OPAQUE = b"\x30"  # a value without an exact order: after every ordered bracket
_INVERT = bytes(range(255, -1, -1))
_MISSING = object()


@dataclass(frozen=True, slots=True)
class IndexShape:
    """What the keys of one index are made of."""

    name: str
    fields: tuple[tuple[str, bool], ...]  # (path, descending)
    unique: bool = False
    sparse: bool = False


@dataclass(slots=True)
class DocumentKeys:
    """The keys one document has in one index, and what they say about the index."""

    keys: set[bytes] = field(default_factory=set)
    array_fields: set[str] = field(default_factory=set)
    ordered: bool = True


def component(value: Any, descending: bool) -> tuple[bytes, bool]:
    """One field's part of a key, and whether it orders exactly."""
    try:
        raw, exact = sort_key(value), True
    except UnsupportedKey:
        raw, exact = OPAQUE + bson.encode(encode_wire_value({"": value})), False
    return encode_raw(raw, descending), exact


def encode_raw(raw: bytes, descending: bool) -> bytes:
    body = raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"
    return body.translate(_INVERT) if descending else body


def _leaves(value: Any, parts: list[str], via_array: bool = False) -> Iterator[tuple[Any, bool]]:
    """The values at a dotted path, traversing arrays of documents as MongoDB does."""
    if not parts:
        yield value, via_array
    elif isinstance(value, dict):
        yield from _leaves(value.get(parts[0], _MISSING), parts[1:], via_array)
    elif isinstance(value, list):
        found = False
        for item in value:
            if isinstance(item, dict):
                found = True
                yield from _leaves(item.get(parts[0], _MISSING), parts[1:], True)
        if not found:
            yield _MISSING, True
    else:
        yield _MISSING, via_array


def _field_components(doc: Doc, path: str, descending: bool, keys: DocumentKeys) -> list[bytes]:
    components: list[bytes] = []
    for leaf, via_array in _leaves(doc, path.split(".")):
        if via_array or isinstance(leaf, list):
            keys.array_fields.add(path)
        if isinstance(leaf, list):
            values: list[Any] = list(leaf)
            if not values:
                components.append(encode_raw(UNDEFINED, descending))
        else:
            values = [None if leaf is _MISSING else leaf]
        for value in values:
            encoded, exact = component(value, descending)
            keys.ordered &= exact
            components.append(encoded)
    return list(dict.fromkeys(components))


def document_keys(doc: Doc, shape: IndexShape) -> DocumentKeys:
    """Every key of `doc` in the index (none for a sparse index without its fields)."""
    keys = DocumentKeys()
    if shape.sparse and all(_absent(doc, path) for path, _ in shape.fields):
        return keys
    per_field = [_field_components(doc, path, desc, keys) for path, desc in shape.fields]
    if len(keys.array_fields) > 1:
        raise OperationFailure(
            f"cannot index parallel arrays {sorted(keys.array_fields)}",
            code=CANNOT_INDEX_PARALLEL_ARRAYS,
        )
    keys.keys = {b"".join(parts) for parts in product(*per_field)}
    return keys


def _absent(doc: Doc, path: str) -> bool:
    return all(leaf is _MISSING for leaf, _ in _leaves(doc, path.split(".")))


def prefix_upper_bound(prefix: bytes) -> bytes:
    """Past every key that starts with `prefix` (whole fields): no field starts with 0xFF."""
    return prefix + b"\xff"


def distinct_values(docs: Iterable[Doc], path: str) -> list[Any]:
    """The values at `path` as MongoDB's distinct lists them: its index keys' values
    (an array's elements one by one, along a dotted path too), null kept, missing
    and empty arrays skipped, values MongoDB holds equal (1, 1.0) once."""
    found: dict[bytes, Any] = {}
    for doc in docs:
        for leaf, _ in _leaves(doc, path.split(".")):
            if leaf is not _MISSING:
                for value in leaf if isinstance(leaf, list) else [leaf]:
                    found.setdefault(component(value, False)[0], value)
    return list(found.values())
