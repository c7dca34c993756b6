"""Writes to the document store, keeping every index's entries and MongoDB's errors.

Every function here runs inside one `DocumentStore.writing()` transaction:
a document and its index entries change together, the unique checks and the
writes see the same state, and no other writer interleaves. A write touches
only the index keys that changed (a `$set` of a progress figure rewrites the
document's row and nothing else).
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mongoeco.errors import OperationFailure

from scripts.embedded import write_rules as rules
from scripts.embedded.doc_store import (
    Doc,
    StoredIndex,
    decode_document,
    encode_document,
    shape_of,
    stored_indexes,
)
from scripts.embedded.index_keys import DocumentKeys, document_keys
from scripts.embedded.write_rules import ID_INDEX

INVALID_ID_FIELD = 53
CANNOT_CREATE_INDEX = 67
CANNOT_DROP_ID_INDEX = 72
SUPPORTED_OPTIONS = {"v", "key", "name", "unique", "sparse", "background", "ns"}


# --- collections and indexes -------------------------------------------------


def ensure_collection(connection: sqlite3.Connection, ns: str, options: Doc | None = None) -> bool:
    """Register `ns` with its `_id_` index; True if it is new."""
    cursor = connection.execute(
        "INSERT OR IGNORE INTO doc_collections (ns, options) VALUES (?, ?)",
        (ns, encode_document(options or {})),
    )
    if cursor.rowcount != 1:
        return False
    connection.execute(
        "INSERT INTO doc_indexes (ns, name, spec) VALUES (?, ?, ?)",
        (ns, ID_INDEX["name"], encode_document(ID_INDEX)),
    )
    return True


def collection_exists(connection: sqlite3.Connection, ns: str) -> bool:
    return rules.namespace_exists(connection, "doc_collections", ns)


def list_namespaces(connection: sqlite3.Connection, db_name: str) -> list[str]:
    return rules.namespaces_in(connection, "doc_collections", db_name)


def indexes(connection: sqlite3.Connection, ns: str) -> list[Doc]:
    return [index.spec for index in stored_indexes(connection, ns)] or [ID_INDEX]


def _check_index_spec(spec: Doc) -> None:
    key = spec.get("key")
    if not isinstance(key, dict) or not key or not isinstance(spec.get("name"), str):
        raise OperationFailure(
            "an index needs a key document and a name", code=rules.FAILED_TO_PARSE
        )
    if any(direction not in (1, -1) for direction in key.values()):
        raise OperationFailure(
            "the embedded database indexes ascending (1) and descending (-1) fields only",
            code=CANNOT_CREATE_INDEX,
        )
    if unknown := set(spec) - SUPPORTED_OPTIONS:
        raise OperationFailure(
            f"index options not supported by the embedded database: {sorted(unknown)}",
            code=CANNOT_CREATE_INDEX,
        )


def create_index(connection: sqlite3.Connection, ns: str, spec: Doc) -> bool:
    """Record an index and index every stored document; True if it is new."""
    _check_index_spec(spec)
    if not rules.is_new_index(indexes(connection, ns), spec):
        return False
    stored = rules.stored_spec(spec)
    connection.execute(
        "INSERT INTO doc_indexes (ns, name, spec) VALUES (?, ?, ?)",
        (ns, spec["name"], encode_document(stored)),
    )
    index = StoredIndex(stored, shape_of(stored))
    rows = connection.execute("SELECT id, doc FROM documents WHERE ns = ?", (ns,))
    for doc_id, blob in rows.fetchall():
        _add_keys(connection, ns, index, doc_id, decode_document(blob), set())
    return True


def drop_index(connection: sqlite3.Connection, ns: str, name: str) -> bool:
    if name == ID_INDEX["name"]:
        raise OperationFailure("cannot drop _id index", code=CANNOT_DROP_ID_INDEX)
    connection.execute("DELETE FROM index_entries WHERE ns = ? AND name = ?", (ns, name))
    deleted = connection.execute("DELETE FROM doc_indexes WHERE ns = ? AND name = ?", (ns, name))
    return deleted.rowcount == 1


def drop_collection(connection: sqlite3.Connection, ns: str) -> bool:
    for table in ("documents", "index_entries", "doc_indexes"):
        connection.execute(f"DELETE FROM {table} WHERE ns = ?", (ns,))
    return connection.execute("DELETE FROM doc_collections WHERE ns = ?", (ns,)).rowcount == 1


# --- index entries -------------------------------------------------------------


def _value_at(doc: Doc, path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _add_keys(
    connection: sqlite3.Connection,
    ns: str,
    index: StoredIndex,
    doc_id: int,
    doc: Doc,
    old_keys: set[bytes],
) -> DocumentKeys:
    """Write the document's new keys in one index; refuse a duplicate in a unique one."""
    keys = document_keys(doc, index.shape)
    name = index.shape.name
    added = keys.keys - old_keys
    if index.shape.unique:
        for key in added:
            if connection.execute(
                "SELECT 1 FROM index_entries WHERE ns = ? AND name = ? AND key = ? AND doc_id != ?",
                (ns, name, key, doc_id),
            ).fetchone():
                pattern = dict(index.spec["key"])
                value = {path: _value_at(doc, path) for path in pattern}
                raise rules.duplicate_key(ns, name, pattern, value)
    connection.executemany(
        "INSERT OR IGNORE INTO index_entries (ns, name, key, doc_id) VALUES (?, ?, ?, ?)",
        [(ns, name, key, doc_id) for key in added],
    )
    _remember_shape(connection, ns, index, keys)
    return keys


def _remember_shape(
    connection: sqlite3.Connection, ns: str, index: StoredIndex, keys: DocumentKeys
) -> None:
    """Mark the index multikey on a field, or unordered, the first time a key says so."""
    if keys.array_fields <= index.array_fields and (keys.ordered or not index.ordered):
        return
    index.array_fields |= keys.array_fields
    index.ordered &= keys.ordered
    connection.execute(
        "UPDATE doc_indexes SET array_fields = ?, ordered = ? WHERE ns = ? AND name = ?",
        (",".join(sorted(index.array_fields)), int(index.ordered), ns, index.shape.name),
    )


def _remove_keys(
    connection: sqlite3.Connection, ns: str, name: str, doc_id: int, keys: set[bytes]
) -> None:
    connection.executemany(
        "DELETE FROM index_entries WHERE ns = ? AND name = ? AND key = ? AND doc_id = ?",
        [(ns, name, key, doc_id) for key in keys],
    )


# --- documents -----------------------------------------------------------------


def _check_id(doc: Doc) -> None:
    if isinstance(doc.get("_id"), list):
        raise OperationFailure("The '_id' value cannot be of type array", code=INVALID_ID_FIELD)


@contextmanager
def _all_or_nothing(connection: sqlite3.Connection) -> Iterator[None]:
    """One document's row and keys: a refused write leaves none of them."""
    connection.execute("SAVEPOINT one_document")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK TO one_document")
        raise
    finally:
        connection.execute("RELEASE one_document")


def insert_one(connection: sqlite3.Connection, ns: str, doc: Doc) -> None:
    _check_id(doc)
    with _all_or_nothing(connection):
        doc_id = connection.execute(
            "INSERT INTO documents (ns, doc) VALUES (?, ?)", (ns, encode_document(doc))
        ).lastrowid
        assert doc_id is not None
        for index in stored_indexes(connection, ns):
            _add_keys(connection, ns, index, doc_id, doc, set())


def insert_many(
    connection: sqlite3.Connection, ns: str, docs: list[Doc], ordered: bool
) -> rules.WriteReport:
    ensure_collection(connection, ns)
    return rules.insert_each(docs, ordered, lambda doc: insert_one(connection, ns, doc))


def _stored(connection: sqlite3.Connection, doc_id: int) -> tuple[str, Doc]:
    ns, blob = connection.execute(
        "SELECT ns, doc FROM documents WHERE id = ?", (doc_id,)
    ).fetchone()
    return ns, decode_document(blob)


def replace_row(connection: sqlite3.Connection, ns: str, rowid: int, doc: Doc) -> None:
    """Store `doc` in place of the row's document; only changed index keys are written."""
    _check_id(doc)
    _, old = _stored(connection, rowid)
    with _all_or_nothing(connection):
        for index in stored_indexes(connection, ns):
            old_keys = document_keys(old, index.shape).keys
            new_keys = _add_keys(connection, ns, index, rowid, doc, old_keys).keys
            _remove_keys(connection, ns, index.shape.name, rowid, old_keys - new_keys)
        connection.execute(
            "UPDATE documents SET doc = ? WHERE id = ?", (encode_document(doc), rowid)
        )


def delete_rows(connection: sqlite3.Connection, rowids: list[int]) -> None:
    for rowid in rowids:
        ns, doc = _stored(connection, rowid)
        for index in stored_indexes(connection, ns):
            keys = document_keys(doc, index.shape).keys
            _remove_keys(connection, ns, index.shape.name, rowid, keys)
        connection.execute("DELETE FROM documents WHERE id = ?", (rowid,))
