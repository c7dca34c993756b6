"""What every store's writes share: MongoDB's write replies, errors and update rules.

The chunk store and the document store differ in how rows are kept and
indexed; the replies they give, the errors they raise and what an update
or an upsert makes of a document are MongoDB's, and are written once here.
"""

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import bson
from mongoeco.core.operators import UpdateEngine
from mongoeco.core.upserts import seed_upsert_document
from mongoeco.errors import OperationFailure
from mongoeco.types import ObjectId  # type: ignore[attr-defined]
from mongoeco.wire.bson_bridge import encode_wire_value

type Doc = dict[str, Any]

DUPLICATE_KEY = 11000
IMMUTABLE_FIELD = 66
INDEX_OPTIONS_CONFLICT = 85
INDEX_KEY_SPECS_CONFLICT = 86
NAMESPACE_EXISTS = 48
FAILED_TO_PARSE = 9
ID_INDEX: Doc = {"v": 2, "key": {"_id": 1}, "name": "_id_"}


class Rows(Protocol):
    """A query over one store: (rowid, document) of its matches, in order."""

    def documents(
        self, connection: Callable[[], sqlite3.Connection]
    ) -> Iterator[tuple[int, Doc]]: ...

    def exact_count(self, connection: Callable[[], sqlite3.Connection]) -> int | None:
        """The number of matches if known without reading them, else None."""


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


def duplicate_key(ns: str, index: str, pattern: Doc, value: Doc) -> OperationFailure:
    shown = ", ".join(f"{k}: {v!r}" for k, v in value.items())
    message = f"E11000 duplicate key error collection: {ns} index: {index} dup key: {{ {shown} }}"
    details = {"keyPattern": pattern, "keyValue": value}
    return OperationFailure(message, code=DUPLICATE_KEY, details=details)


# --- collections and indexes: the catalogue tables both stores keep ---------------


def namespace_exists(connection: sqlite3.Connection, table: str, ns: str) -> bool:
    row = connection.execute(f"SELECT 1 FROM {table} WHERE ns = ?", (ns,)).fetchone()
    return row is not None


def namespaces_in(connection: sqlite3.Connection, table: str, db_name: str) -> list[str]:
    rows = connection.execute(
        f"SELECT ns FROM {table} WHERE substr(ns, 1, ?) = ? ORDER BY ns",
        (len(db_name) + 1, f"{db_name}."),
    ).fetchall()
    return [row[0] for row in rows]


def _without_version(spec: Doc) -> Doc:
    return {k: v for k, v in spec.items() if k not in ("v", "ns", "background")}


def same_key(one: Doc, other: Doc) -> bool:
    """Index key patterns are ordered: {a: 1, b: 1} is not {b: 1, a: 1}."""
    return list(one.items()) == list(other.items())


def is_new_index(existing_specs: list[Doc], spec: Doc) -> bool:
    """False if this very index exists; refuses one that clashes with an existing one."""
    wanted = _without_version(spec)
    for existing in existing_specs:
        same_name = existing["name"] == spec["name"]
        same_key_pattern = same_key(existing["key"], spec["key"])
        if same_name and same_key_pattern and _without_version(existing) == wanted:
            return False
        if same_name or same_key_pattern:
            code = INDEX_KEY_SPECS_CONFLICT if same_name else INDEX_OPTIONS_CONFLICT
            raise OperationFailure(
                f"an index named {existing['name']} with another specification exists", code=code
            )
    return True


def stored_spec(spec: Doc) -> Doc:
    """An index specification as listIndexes shows it."""
    return {"v": 2, **_without_version(spec)}


def with_id(doc: Doc) -> Doc:
    return doc if "_id" in doc else {"_id": ObjectId(), **doc}


def updated(old: Doc, update: Any, selector: Doc, array_filters: Any) -> Doc:
    """The document after `update` (operators or a replacement), `_id` kept."""
    if isinstance(update, list):
        raise OperationFailure(
            "pipeline updates are not supported on this collection in the embedded database",
            code=FAILED_TO_PARSE,
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


def changes(old: Doc, new: Doc) -> bool:
    """Whether storing `new` changes the document: as MongoDB, by BSON (true is not 1,
    2.0 is not 2, field order counts), not by Python equality."""
    return bool(
        new != old or bson.encode(encode_wire_value(new)) != bson.encode(encode_wire_value(old))
    )


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
            "pipeline updates are not supported on this collection in the embedded database",
            code=FAILED_TO_PARSE,
        )
    seeded: Doc = {}
    seed_upsert_document(seeded, selector)  # the filter's equalities; only its `_id` is kept
    return with_id({**({"_id": seeded["_id"]} if "_id" in seeded else {}), **update})


def insert_each(docs: list[Doc], ordered: bool, insert_one: Callable[[Doc], None]) -> WriteReport:
    """An insert command's documents one by one (an `_id` given where missing), as
    MongoDB reports them: ordered stops at the first refused one, unordered goes on."""
    report = WriteReport()
    for index, doc in enumerate(docs):
        try:
            insert_one(with_id(doc))
            report.n += 1
        except OperationFailure as error:
            report.errors.append(write_error(index, error))
            if ordered:
                break
    return report


def matching(
    connection: sqlite3.Connection, query: Rows, limit: int | None
) -> Iterator[tuple[int, Doc]]:
    for count, item in enumerate(query.documents(lambda: connection)):
        if limit is not None and count >= limit:
            return
        yield item
