"""Writes to the chunk table, with MongoDB's unique-index errors.

Every function here runs inside one `ChunkStore.writing()` transaction: the
checks and the writes of a command see the same state, and no other writer
interleaves. `_id` is always unique; `(files_id, n)` is unique once a unique
index on those two fields exists, exactly as in MongoDB.
"""

import sqlite3

import bson
from mongoeco.errors import OperationFailure
from mongoeco.wire.bson_bridge import decode_wire_value, encode_wire_value

from scripts.embedded.chunk_store import ChunkRow, ChunkShapeError, Doc, encode_chunk
from scripts.embedded.write_rules import (
    FAILED_TO_PARSE,
    ID_INDEX,
    WriteReport,
    duplicate_key,
    insert_each,
    is_new_index,
    namespace_exists,
    namespaces_in,
    stored_spec,
)

FILE_FIELDS = {"files_id", "n"}


# --- collections and indexes -------------------------------------------------


def ensure_collection(connection: sqlite3.Connection, ns: str, options: Doc | None = None) -> bool:
    """Register `ns`; True if it is new."""
    cursor = connection.execute(
        "INSERT OR IGNORE INTO chunk_collections (ns, options) VALUES (?, ?)",
        (ns, bson.encode(encode_wire_value(options or {}))),
    )
    return cursor.rowcount == 1


def collection_exists(connection: sqlite3.Connection, ns: str) -> bool:
    return namespace_exists(connection, "chunk_collections", ns)


def list_namespaces(connection: sqlite3.Connection, db_name: str) -> list[str]:
    return namespaces_in(connection, "chunk_collections", db_name)


def indexes(connection: sqlite3.Connection, ns: str) -> list[Doc]:
    rows = connection.execute(
        "SELECT spec FROM chunk_indexes WHERE ns = ? ORDER BY rowid", (ns,)
    ).fetchall()
    return [ID_INDEX, *(decode_wire_value(bson.decode(row[0])) for row in rows)]


def _unique_file_index(connection: sqlite3.Connection, ns: str) -> str | None:
    for spec in indexes(connection, ns)[1:]:
        if spec.get("unique") and set(spec["key"]) == FILE_FIELDS:
            return str(spec["name"])
    return None


def _check_index_spec(spec: Doc) -> None:
    key = spec.get("key")
    if not isinstance(key, dict) or not key or not isinstance(spec.get("name"), str):
        raise OperationFailure("an index needs a key document and a name", code=FAILED_TO_PARSE)
    if spec.get("unique") and set(key) not in (FILE_FIELDS, {"_id"}):
        raise OperationFailure(
            "the embedded chunk store enforces unique indexes on (files_id, n) and _id only",
            code=FAILED_TO_PARSE,
        )


def create_index(connection: sqlite3.Connection, ns: str, spec: Doc) -> bool:
    """Record an index; True if it is new. Unique on (files_id, n) refuses duplicates."""
    _check_index_spec(spec)
    if not is_new_index(indexes(connection, ns), spec):
        return False
    if spec.get("unique") and set(spec["key"]) == FILE_FIELDS:
        _refuse_existing_duplicates(connection, ns, spec)
    connection.execute(
        "INSERT INTO chunk_indexes (ns, name, spec) VALUES (?, ?, ?)",
        (ns, spec["name"], bson.encode(encode_wire_value(stored_spec(spec)))),
    )
    return True


def _refuse_existing_duplicates(connection: sqlite3.Connection, ns: str, spec: Doc) -> None:
    row = connection.execute(
        "SELECT min(meta) FROM chunks WHERE ns = ?"
        " GROUP BY files_key, n HAVING count(*) > 1 LIMIT 1",
        (ns,),
    ).fetchone()
    if row is not None:
        doc = decode_wire_value(bson.decode(row[0]))
        value = {"files_id": doc["files_id"], "n": doc["n"]}
        raise duplicate_key(ns, spec["name"], spec["key"], value)


def drop_index(connection: sqlite3.Connection, ns: str, name: str) -> bool:
    if name == "_id_":
        raise OperationFailure("cannot drop _id index", code=72)
    return (
        connection.execute(
            "DELETE FROM chunk_indexes WHERE ns = ? AND name = ?", (ns, name)
        ).rowcount
        == 1
    )


def drop_collection(connection: sqlite3.Connection, ns: str) -> bool:
    connection.execute("DELETE FROM chunks WHERE ns = ?", (ns,))
    connection.execute("DELETE FROM chunk_indexes WHERE ns = ?", (ns,))
    return connection.execute("DELETE FROM chunk_collections WHERE ns = ?", (ns,)).rowcount == 1


# --- documents -----------------------------------------------------------------


def _check_unique(
    connection: sqlite3.Connection, ns: str, row: ChunkRow, doc: Doc, rowid: int
) -> None:
    taken = connection.execute(
        "SELECT 1 FROM chunks WHERE ns = ? AND id_key = ? AND rowid != ?", (ns, row.id_key, rowid)
    ).fetchone()
    if taken:
        raise duplicate_key(ns, "_id_", {"_id": 1}, {"_id": doc["_id"]})
    index = _unique_file_index(connection, ns)
    if index is None:
        return
    taken = connection.execute(
        "SELECT 1 FROM chunks WHERE ns = ? AND files_key = ? AND n = ? AND rowid != ?",
        (ns, row.files_key, row.n, rowid),
    ).fetchone()
    if taken:
        raise duplicate_key(
            ns, index, {"files_id": 1, "n": 1}, {"files_id": doc["files_id"], "n": doc["n"]}
        )


def _encode(doc: Doc) -> ChunkRow:
    try:
        return encode_chunk(doc)
    except ChunkShapeError as error:
        raise OperationFailure(str(error), code=error.code) from error


def insert_one(connection: sqlite3.Connection, ns: str, doc: Doc) -> None:
    row = _encode(doc)
    _check_unique(connection, ns, row, doc, rowid=-1)
    connection.execute(
        "INSERT INTO chunks (ns, files_key, n, id_key, meta, data) VALUES (?, ?, ?, ?, ?, ?)",
        (ns, row.files_key, row.n, row.id_key, row.meta, row.data),
    )


def insert_many(
    connection: sqlite3.Connection, ns: str, docs: list[Doc], ordered: bool
) -> WriteReport:
    ensure_collection(connection, ns)
    return insert_each(docs, ordered, lambda doc: insert_one(connection, ns, doc))


def replace_row(connection: sqlite3.Connection, ns: str, rowid: int, doc: Doc) -> None:
    row = _encode(doc)
    _check_unique(connection, ns, row, doc, rowid)
    connection.execute(
        "UPDATE chunks SET files_key = ?, n = ?, id_key = ?, meta = ?, data = ? WHERE rowid = ?",
        (row.files_key, row.n, row.id_key, row.meta, row.data, rowid),
    )


def delete_rows(connection: sqlite3.Connection, rowids: list[int]) -> None:
    connection.executemany("DELETE FROM chunks WHERE rowid = ?", [(rowid,) for rowid in rowids])
