"""Writes to the chunk table, with MongoDB's unique-index errors.

Every function here runs inside one `ChunkStore.writing()` transaction: the
checks and the writes of a command see the same state, and no other writer
interleaves. `_id` is always unique; `(files_id, n)` is unique once a unique
index on those two fields exists, exactly as in MongoDB.
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import bson
from mongoeco.core.operators import UpdateEngine
from mongoeco.core.upserts import seed_upsert_document
from mongoeco.errors import OperationFailure
from mongoeco.types import ObjectId  # type: ignore[attr-defined]
from mongoeco.wire.bson_bridge import decode_wire_value, encode_wire_value

from scripts.embedded.chunk_queries import Query
from scripts.embedded.chunk_store import ChunkRow, ChunkShapeError, Doc, encode_chunk

DUPLICATE_KEY = 11000
IMMUTABLE_FIELD = 66
INDEX_OPTIONS_CONFLICT = 85
INDEX_KEY_SPECS_CONFLICT = 86
NAMESPACE_EXISTS = 48
FAILED_TO_PARSE = 9
FILE_FIELDS = {"files_id", "n"}
ID_INDEX: Doc = {"v": 2, "key": {"_id": 1}, "name": "_id_"}


@dataclass
class WriteReport:
    n: int = 0
    modified: int = 0
    upserted: list[Doc] = field(default_factory=list)
    errors: list[Doc] = field(default_factory=list)

    def reply(self, *, with_modified: bool = False) -> Doc:
        reply: Doc = {"n": self.n, "ok": 1.0}
        if with_modified:
            reply["nModified"] = self.modified
        if self.upserted:
            reply["upserted"] = self.upserted
        if self.errors:
            reply["writeErrors"] = self.errors
        return reply


def write_error(index: int, error: Exception) -> Doc:
    code = getattr(error, "code", None) or FAILED_TO_PARSE
    message = error.args[0] if error.args else str(error)
    document: Doc = {"index": index, "code": code, "errmsg": str(message)}
    details = getattr(error, "details", None)
    if isinstance(details, dict):
        document.update({k: v for k, v in details.items() if k in ("keyPattern", "keyValue")})
    return document


def _duplicate(ns: str, index: str, pattern: Doc, value: Doc) -> OperationFailure:
    shown = ", ".join(f"{k}: {v!r}" for k, v in value.items())
    message = f"E11000 duplicate key error collection: {ns} index: {index} dup key: {{ {shown} }}"
    details = {"keyPattern": pattern, "keyValue": value}
    return OperationFailure(message, code=DUPLICATE_KEY, details=details)


# --- collections and indexes -------------------------------------------------


def ensure_collection(connection: sqlite3.Connection, ns: str, options: Doc | None = None) -> bool:
    """Register `ns`; True if it is new."""
    cursor = connection.execute(
        "INSERT OR IGNORE INTO chunk_collections (ns, options) VALUES (?, ?)",
        (ns, bson.encode(encode_wire_value(options or {}))),
    )
    return cursor.rowcount == 1


def collection_exists(connection: sqlite3.Connection, ns: str) -> bool:
    row = connection.execute("SELECT 1 FROM chunk_collections WHERE ns = ?", (ns,)).fetchone()
    return row is not None


def list_namespaces(connection: sqlite3.Connection, db_name: str) -> list[str]:
    rows = connection.execute(
        "SELECT ns FROM chunk_collections WHERE substr(ns, 1, ?) = ? ORDER BY ns",
        (len(db_name) + 1, f"{db_name}."),
    ).fetchall()
    return [row[0] for row in rows]


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
    wanted = {k: v for k, v in spec.items() if k != "v"}
    for existing in indexes(connection, ns):
        same_name, same_key = existing["name"] == spec["name"], existing["key"] == spec["key"]
        if same_name and {k: v for k, v in existing.items() if k != "v"} == wanted:
            return False
        if same_name or same_key:
            code = INDEX_KEY_SPECS_CONFLICT if same_name else INDEX_OPTIONS_CONFLICT
            raise OperationFailure(
                f"an index named {existing['name']} with another specification exists", code=code
            )
    if spec.get("unique") and set(spec["key"]) == FILE_FIELDS:
        _refuse_existing_duplicates(connection, ns, spec)
    connection.execute(
        "INSERT INTO chunk_indexes (ns, name, spec) VALUES (?, ?, ?)",
        (ns, spec["name"], bson.encode(encode_wire_value({"v": 2, **wanted}))),
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
        raise _duplicate(ns, spec["name"], spec["key"], value)


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
        raise _duplicate(ns, "_id_", {"_id": 1}, {"_id": doc["_id"]})
    index = _unique_file_index(connection, ns)
    if index is None:
        return
    taken = connection.execute(
        "SELECT 1 FROM chunks WHERE ns = ? AND files_key = ? AND n = ? AND rowid != ?",
        (ns, row.files_key, row.n, rowid),
    ).fetchone()
    if taken:
        raise _duplicate(
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


def with_id(doc: Doc) -> Doc:
    return doc if "_id" in doc else {"_id": ObjectId(), **doc}


def insert_many(
    connection: sqlite3.Connection, ns: str, docs: list[Doc], ordered: bool
) -> WriteReport:
    ensure_collection(connection, ns)
    report = WriteReport()
    for index, doc in enumerate(docs):
        try:
            insert_one(connection, ns, with_id(doc))
            report.n += 1
        except OperationFailure as error:
            report.errors.append(write_error(index, error))
            if ordered:
                break
    return report


def replace_row(connection: sqlite3.Connection, ns: str, rowid: int, doc: Doc) -> None:
    row = _encode(doc)
    _check_unique(connection, ns, row, doc, rowid)
    connection.execute(
        "UPDATE chunks SET files_key = ?, n = ?, id_key = ?, meta = ?, data = ? WHERE rowid = ?",
        (row.files_key, row.n, row.id_key, row.meta, row.data, rowid),
    )


def delete_rows(connection: sqlite3.Connection, rowids: list[int]) -> None:
    connection.executemany("DELETE FROM chunks WHERE rowid = ?", [(rowid,) for rowid in rowids])


def updated(old: Doc, update: Any, selector: Doc, array_filters: Any) -> Doc:
    """The document after `update` (operators or a replacement), `_id` kept."""
    if isinstance(update, list):
        raise OperationFailure(
            "pipeline updates are not supported on chunk collections", code=FAILED_TO_PARSE
        )
    if not isinstance(update, dict):
        raise OperationFailure("the update must be a document", code=FAILED_TO_PARSE)
    if update and all(str(key).startswith("$") for key in update):
        new = dict(old)
        UpdateEngine.apply_update(
            new, update, selector_filter=selector, array_filters=array_filters
        )
    else:
        new = {"_id": old["_id"], **{k: v for k, v in update.items() if k != "_id"}}
        if "_id" in update and update["_id"] != old["_id"]:
            new = {**update}
    if new.get("_id") != old["_id"]:
        raise OperationFailure(
            "Performing an update on the path '_id' would modify the immutable field '_id'",
            code=IMMUTABLE_FIELD,
        )
    return new


def upserted_document(selector: Doc, update: Any, array_filters: Any) -> Doc:
    if isinstance(update, dict) and update and all(str(k).startswith("$") for k in update):
        doc: Doc = {}
        seed_upsert_document(doc, selector)
        UpdateEngine.apply_update(
            doc,
            update,
            selector_filter=selector,
            array_filters=array_filters,
            is_upsert_insert=True,
        )
        return with_id(doc)
    if not isinstance(update, dict):
        raise OperationFailure(
            "pipeline updates are not supported on chunk collections", code=FAILED_TO_PARSE
        )
    seed = selector.get("_id") if not isinstance(selector.get("_id"), dict) else None
    return with_id({**({"_id": seed} if seed is not None else {}), **update})


def matching(
    connection: sqlite3.Connection, query: Query, limit: int | None
) -> Iterator[tuple[int, Doc]]:
    for count, item in enumerate(query.documents(lambda: connection)):
        if limit is not None and count >= limit:
            return
        yield item
