"""GridFS chunks in a SQLite table of their own, keyed by (files_id, n).

mongoeco's SQLite engine keeps every document as JSON text and checks unique
indexes by scanning, which makes 1 MiB chunks crawl (bench/results.md). Here
a chunk is one row: its `data` bytes in a BLOB column of their own (read only
when asked for), the rest of the document as BSON, and `files_id`, `n` and
`_id` in indexed columns (see sort_keys.py), so a seek is one B-tree lookup
and a unique check one probe.

Durability (the persistent engine): WAL with `synchronous=FULL`, so every
write command is on disk before it is acknowledged. That is what makes "chunks before the files
document" a guarantee across the two stores: the files document, written by
mongoeco's engine afterwards, can never survive a crash that its chunks do
not. A batch of two 1 MiB chunks costs one fsync (bench/results.md). The
memory engine, whose data dies with the process anyway, opens the store with
`durable=False` in a scratch file: `synchronous=OFF`, no fsync at all.

Every method is synchronous; the wire layer calls them in worker threads.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
from mongoeco.wire.bson_bridge import decode_wire_value, encode_wire_value

from scripts.embedded.sort_keys import UnsupportedKey, sort_key
from scripts.embedded.store_file import StoreFile

type Doc = dict[str, Any]

BAD_VALUE = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    ns TEXT NOT NULL,
    files_key BLOB NOT NULL,
    n INTEGER NOT NULL,
    id_key BLOB NOT NULL,
    meta BLOB NOT NULL,
    data BLOB  -- last, so reading the other columns never touches it
);
CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks (ns, files_key, n, id_key);
CREATE UNIQUE INDEX IF NOT EXISTS chunks_by_id ON chunks (ns, id_key);
CREATE TABLE IF NOT EXISTS chunk_collections (ns TEXT PRIMARY KEY, options BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS chunk_indexes (
    ns TEXT NOT NULL, name TEXT NOT NULL, spec BLOB NOT NULL, PRIMARY KEY (ns, name)
);
"""


class ChunkShapeError(ValueError):
    """A document that is not a GridFS chunk this store can key."""

    code = BAD_VALUE


@dataclass(frozen=True, slots=True)
class ChunkRow:
    files_key: bytes
    n: int
    id_key: bytes
    meta: bytes
    data: bytes | None


def _integer(value: Any) -> int:
    inner = getattr(value, "value", value)
    if isinstance(inner, bool) or not isinstance(inner, int):
        raise ChunkShapeError(f"a chunk's n must be an integer, not {type(value).__name__}")
    return inner


def encode_chunk(doc: Doc) -> ChunkRow:
    """The row for a chunk document (mongoeco's decoded types)."""
    if "files_id" not in doc or "n" not in doc or "_id" not in doc:
        raise ChunkShapeError("a chunk needs _id, files_id and n")
    try:
        files_key, id_key = sort_key(doc["files_id"]), sort_key(doc["_id"])
    except UnsupportedKey as error:
        raise ChunkShapeError(str(error)) from error
    data = doc.get("data")
    plain = isinstance(data, bytes) and getattr(data, "subtype", 0) == 0
    # The placeholder keeps the field's position; decode_chunk puts the bytes back.
    meta = {**doc, "data": b""} if plain else doc
    blob = bytes(data) if plain and data is not None else None
    return ChunkRow(
        files_key, _integer(doc["n"]), id_key, bson.encode(encode_wire_value(meta)), blob
    )


def decode_chunk(meta: bytes, data: bytes | None, *, with_data: bool = True) -> Doc:
    doc: Doc = decode_wire_value(bson.decode(meta))
    if data is not None:
        if with_data:
            doc["data"] = data
        else:
            del doc["data"]
    return doc


class ChunkStore(StoreFile):
    """The chunk table's file (see StoreFile for connections and durability)."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        super().__init__(path, _SCHEMA, durable=durable)
