"""Whole collections in a SQLite file of our own, with real secondary indexes.

mongoeco's SQLite engine keeps a document as JSON text and cannot read a
compound or multikey index in order: a search in a library of 10,000 videos
parsed every one of the owner's documents and sorted them (bench/NOTES.md).
Here a document is one row of BSON, and every index, `_id_` included, is
rows of `index_entries`: one per key (index_keys.py), in a B-tree ordered
like MongoDB's index, so an equality prefix plus a sort is a range read in
order, and a unique check one probe.

Durability is the chunk store's (store_file.py): every write command is one
transaction, fsynced before it is acknowledged on the persistent engine.
"""

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import bson
from bson.raw_bson import RawBSONDocument
from mongoeco.wire.bson_bridge import decode_wire_value, encode_wire_value

from scripts.embedded.index_keys import IndexShape
from scripts.embedded.store_file import StoreFile

type Doc = dict[str, Any]

ID_INDEX_NAME = "_id_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    ns TEXT NOT NULL,
    doc BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_ns ON documents (ns, id);
CREATE TABLE IF NOT EXISTS index_entries (
    ns TEXT NOT NULL,
    name TEXT NOT NULL,
    key BLOB NOT NULL,
    doc_id INTEGER NOT NULL,
    PRIMARY KEY (ns, name, key, doc_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS doc_collections (ns TEXT PRIMARY KEY, options BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS doc_indexes (
    ns TEXT NOT NULL,
    name TEXT NOT NULL,
    spec BLOB NOT NULL,
    array_fields TEXT NOT NULL DEFAULT '',  -- fields seen holding arrays (multikey), by ','
    ordered INTEGER NOT NULL DEFAULT 1,  -- 0 once a key without an exact order was stored
    PRIMARY KEY (ns, name)
);
"""


class DocumentStore(StoreFile):
    """The documents' file (see StoreFile for connections and durability)."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        super().__init__(path, _SCHEMA, durable=durable)


def encode_document(doc: Doc) -> bytes:
    return bson.encode(encode_wire_value(doc))


# Values bson decodes to the same Python value mongoeco uses (exact types: bson's
# Int64 is an int subclass that mongoeco wraps). Anything else goes through
# mongoeco's own conversion.
_PLAIN = frozenset({str, int, float, bool, type(None), datetime})


def _decoded(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            key: item if type(item) in _PLAIN else _decoded(item) for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _PLAIN else _decoded(item) for item in value]
    return decode_wire_value(value)


def decode_document(blob: bytes) -> Doc:
    """A stored document in mongoeco's types; most values need no conversion at all,
    and skipping mongoeco's per-value walk for them makes decoding 3x faster."""
    doc: Doc = _decoded(bson.decode(blob))
    return doc


class StoredDocument(dict[str, Any]):
    """A document read for a query, with the BSON it is stored as.

    A find that answers with it unchanged sends those bytes (`as_sent`).
    Encoding the decoded document again went through mongoeco's per-value
    walk, two thirds of the database's time for a page of the library.
    """

    __slots__ = ("stored",)
    stored: bytes


def read_document(blob: bytes) -> StoredDocument:
    doc = StoredDocument(decode_document(blob))
    doc.stored = blob
    return doc


def as_sent(doc: Doc) -> Doc | RawBSONDocument:  # chunk_cursors.Sendable
    """What a reply carries for a document returned as read: its stored bytes."""
    return RawBSONDocument(doc.stored) if isinstance(doc, StoredDocument) else doc


@dataclass(slots=True)
class StoredIndex:
    """An index of a collection, with what its stored keys allow."""

    spec: Doc
    shape: IndexShape
    array_fields: set[str] = field(default_factory=set)
    ordered: bool = True


def shape_of(spec: Doc) -> IndexShape:
    fields = tuple((str(path), direction == -1) for path, direction in spec["key"].items())
    unique = bool(spec.get("unique")) or spec["name"] == ID_INDEX_NAME  # `_id_` always is
    return IndexShape(str(spec["name"]), fields, unique, bool(spec.get("sparse")))


def stored_indexes(connection: sqlite3.Connection, ns: str) -> list[StoredIndex]:
    """The collection's indexes, `_id_` first, in the order they were made."""
    rows = connection.execute(
        "SELECT spec, array_fields, ordered FROM doc_indexes WHERE ns = ? ORDER BY rowid", (ns,)
    ).fetchall()
    indexes = []
    for spec_blob, array_fields, ordered in rows:
        spec = decode_document(spec_blob)
        fields = set(array_fields.split(",")) - {""}
        indexes.append(StoredIndex(spec, shape_of(spec), fields, bool(ordered)))
    return indexes
