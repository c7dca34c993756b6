"""The wire commands on GridFS chunk collections, answered from the chunk store.

Every collection named `<bucket>.chunks` lives in the chunk store; everything
else stays with mongoeco's engine. A command here answers exactly as MongoDB
would (same reply shapes, same error codes), so drivers and the backend
cannot tell. Each command runs in a worker thread: SQLite and fsync never
block the server's event loop.
"""

import asyncio
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from mongoeco.core.aggregation import apply_pipeline
from mongoeco.core.filtering import QueryEngine
from mongoeco.errors import OperationFailure

from scripts.embedded import chunk_writes as writes
from scripts.embedded.chunk_cursors import DEFAULT_FIRST_BATCH, ChunkCursor, ChunkCursors
from scripts.embedded.chunk_queries import Query, mentions_data, projection_needs_data, projector
from scripts.embedded.chunk_store import ChunkStore, Doc

CHUNK_SUFFIX = ".chunks"
NAMESPACE_NOT_FOUND = 26
ILLEGAL_OPERATION = 20
PASSING_STAGES = {"$match", "$sort", "$limit", "$skip"}
SHAPING_STAGES = {"$group", "$count", "$sortByCount", "$bucket", "$bucketAuto"}
COLLECTION_COMMANDS = {
    "find",
    "insert",
    "update",
    "delete",
    "findAndModify",
    "count",
    "distinct",
    "aggregate",
    "createIndexes",
    "listIndexes",
    "dropIndexes",
    "drop",
    "create",
    "renameCollection",
}


def is_chunk_collection(name: object) -> bool:
    return isinstance(name, str) and name.endswith(CHUNK_SUFFIX) and len(name) > len(CHUNK_SUFFIX)


def _integer(value: Any, default: int | None = None) -> int | None:
    value = getattr(value, "value", value)
    return default if value is None else int(value)


def _aggregate_needs_data(pipeline: list[Doc]) -> bool:
    # Stripping `data` is safe only when a shaping stage comes before anything
    # that could emit or read whole documents.
    if mentions_data(pipeline):
        return True
    for stage in pipeline:
        operator = next(iter(stage), "")
        if operator in SHAPING_STAGES:
            return False
        if operator == "$project":
            return projection_needs_data(stage[operator])
        if operator not in PASSING_STAGES:
            return True
    return True


def _leading_match(pipeline: list[Doc]) -> Doc:
    matches = []
    for stage in pipeline:
        if "$match" not in stage:
            break
        matches.append(stage["$match"])
    return {"$and": matches} if matches else {}


class ChunkCommands:
    def __init__(self, store: ChunkStore) -> None:
        self._store = store
        self._cursors = ChunkCursors()
        self._handlers: dict[str, Callable[[str, Doc], Doc]] = {
            "insert": self._insert,
            "update": self._update,
            "delete": self._delete,
            "findAndModify": self._find_and_modify,
            "count": self._count,
            "distinct": self._distinct,
            "createIndexes": self._create_indexes,
            "listIndexes": self._list_indexes,
            "dropIndexes": self._drop_indexes,
            "drop": self._drop,
            "create": self._create,
            "renameCollection": self._rename,
        }

    def owns(self, command_name: str, command: Doc) -> bool:
        if command_name in COLLECTION_COMMANDS:
            return is_chunk_collection(command[command_name])
        if command_name == "getMore":
            return self._cursors.owns(_integer(command["getMore"]) or 0)
        return command_name == "killCursors" and is_chunk_collection(command["killCursors"])

    async def execute(self, db_name: str, command_name: str, command: Doc) -> Doc:
        target = command.get("collection") if command_name == "getMore" else command[command_name]
        ns = f"{db_name}.{target}"
        if command_name == "find":
            return await self._find(ns, command)
        if command_name == "aggregate":
            return await self._aggregate(ns, command)
        if command_name == "getMore":
            return await self._get_more(ns, command)
        if command_name == "killCursors":
            ids = [_integer(i) or 0 for i in command.get("cursors", [])]
            killed, unknown = self._cursors.kill(ids)
            return {
                "cursorsKilled": killed,
                "cursorsNotFound": unknown,
                "cursorsAlive": [],
                "cursorsUnknown": [],
                "ok": 1.0,
            }
        return await asyncio.to_thread(self._handlers[command_name], ns, command)

    # --- reads -----------------------------------------------------------------

    async def _reply_with_cursor(
        self, ns: str, documents: Iterator[Doc], batch_size: int | None, single: bool = False
    ) -> Doc:
        cursor = ChunkCursor(ns, documents)
        first = await asyncio.to_thread(cursor.next_batch, batch_size)
        if single:
            cursor.exhausted = True
        cursor_id = self._cursors.keep(cursor)
        return {"cursor": {"firstBatch": first, "id": cursor_id, "ns": ns}, "ok": 1.0}

    async def _find(self, ns: str, command: Doc) -> Doc:
        filter_spec = command.get("filter") or {}
        projection = command.get("projection")
        query = Query(
            ns,
            filter_spec,
            command.get("sort") or None,
            with_data=projection_needs_data(projection) or mentions_data(filter_spec),
        )
        skip, limit = _integer(command.get("skip"), 0) or 0, _integer(command.get("limit"), 0) or 0
        project = projector(projection, filter_spec)
        rows = (doc for _, doc in query.documents(self._store.reader))
        documents = map(project, islice(rows, skip, skip + limit if limit else None))
        batch = _integer(command.get("batchSize"), DEFAULT_FIRST_BATCH)
        if limit:
            batch = min(batch or limit, limit)
        single = bool(command.get("singleBatch"))
        return await self._reply_with_cursor(ns, documents, batch, single)

    async def _get_more(self, ns: str, command: Doc) -> Doc:
        cursor_id = _integer(command["getMore"]) or 0
        cursor = self._cursors.get(cursor_id, ns)
        batch = await asyncio.to_thread(cursor.next_batch, _integer(command.get("batchSize")))
        if cursor.exhausted:
            self._cursors.release(cursor_id)
            cursor_id = 0
        return {"cursor": {"nextBatch": batch, "id": cursor_id, "ns": ns}, "ok": 1.0}

    async def _aggregate(self, ns: str, command: Doc) -> Doc:
        pipeline = command.get("pipeline") or []
        if any(next(iter(stage), "") in {"$out", "$merge"} for stage in pipeline):
            raise OperationFailure(
                "$out and $merge from a chunk collection are not supported", code=ILLEGAL_OPERATION
            )
        query = Query(ns, _leading_match(pipeline), with_data=_aggregate_needs_data(pipeline))

        def run() -> list[Doc]:
            docs = (doc for _, doc in query.documents(self._store.reader))
            return list(apply_pipeline(docs, pipeline))

        results = await asyncio.to_thread(run)
        batch = _integer((command.get("cursor") or {}).get("batchSize"), DEFAULT_FIRST_BATCH)
        return await self._reply_with_cursor(ns, iter(results), batch)

    def _count(self, ns: str, command: Doc) -> Doc:
        query = Query(ns, command.get("query") or {}, with_data=mentions_data(command.get("query")))
        skip, limit = _integer(command.get("skip"), 0) or 0, _integer(command.get("limit"), 0) or 0
        matches = islice(query.documents(self._store.reader), skip, skip + limit if limit else None)
        return {"n": sum(1 for _ in matches), "ok": 1.0}

    def _distinct(self, ns: str, command: Doc) -> Doc:
        key = command["key"]
        filter_spec = {"$and": [command.get("query") or {}, {key: {"$exists": True}}]}
        query = Query(ns, filter_spec, with_data=key == "data" or mentions_data(filter_spec))
        docs = (doc for _, doc in query.documents(self._store.reader))
        grouped = apply_pipeline(docs, [{"$unwind": f"${key}"}, {"$group": {"_id": f"${key}"}}])
        return {"values": [doc["_id"] for doc in grouped], "ok": 1.0}

    # --- writes ----------------------------------------------------------------

    def _insert(self, ns: str, command: Doc) -> Doc:
        with self._store.writing() as connection:
            report = writes.insert_many(
                connection, ns, list(command.get("documents", [])), command.get("ordered", True)
            )
        return report.reply()

    def _update(self, ns: str, command: Doc) -> Doc:
        report = writes.WriteReport()
        with self._store.writing() as connection:
            for index, statement in enumerate(command.get("updates", [])):
                try:
                    self._update_one_statement(connection, ns, index, statement, report)
                except OperationFailure as error:
                    report.errors.append(writes.write_error(index, error))
                    if command.get("ordered", True):
                        break
        return report.reply(with_modified=True)

    def _update_one_statement(
        self, connection: Any, ns: str, index: int, statement: Doc, report: writes.WriteReport
    ) -> None:
        selector, update = statement.get("q") or {}, statement.get("u")
        array_filters = statement.get("arrayFilters")
        writes.ensure_collection(connection, ns)
        limit = None if statement.get("multi") else 1
        targets = list(writes.matching(connection, Query(ns, selector), limit))
        for rowid, old in targets:
            new = writes.updated(old, update, selector, array_filters)
            report.n += 1
            if new != old:
                writes.replace_row(connection, ns, rowid, new)
                report.modified += 1
        if not targets and statement.get("upsert"):
            doc = writes.upserted_document(selector, update, array_filters)
            writes.insert_one(connection, ns, doc)
            report.n += 1
            report.upserted.append({"index": index, "_id": doc["_id"]})

    def _delete(self, ns: str, command: Doc) -> Doc:
        report = writes.WriteReport()
        with self._store.writing() as connection:
            for statement in command.get("deletes", []):
                selector = statement.get("q") or {}
                limit = 1 if _integer(statement.get("limit"), 0) else None
                query = Query(ns, selector, with_data=mentions_data(selector))
                rowids = [rowid for rowid, _ in writes.matching(connection, query, limit)]
                writes.delete_rows(connection, rowids)
                report.n += len(rowids)
        return report.reply()

    def _find_and_modify(self, ns: str, command: Doc) -> Doc:
        selector = command.get("query") or {}
        with self._store.writing() as connection:
            writes.ensure_collection(connection, ns)
            query = Query(ns, selector, command.get("sort") or None)
            found = next(writes.matching(connection, query, 1), None)
            value, last_error = self._modify(connection, ns, command, selector, found)
        if value is not None:
            value = projector(command.get("fields"), selector)(value)
        return {"lastErrorObject": last_error, "value": value, "ok": 1.0}

    def _modify(
        self, connection: Any, ns: str, command: Doc, selector: Doc, found: tuple[int, Doc] | None
    ) -> tuple[Doc | None, Doc]:
        update, array_filters = command.get("update"), command.get("arrayFilters")
        if command.get("remove"):
            if found is not None:
                writes.delete_rows(connection, [found[0]])
            return (found[1] if found else None), {"n": int(found is not None)}
        if found is not None:
            rowid, old = found
            new = writes.updated(old, update, selector, array_filters)
            writes.replace_row(connection, ns, rowid, new)
            return (new if command.get("new") else old), {"n": 1, "updatedExisting": True}
        if not command.get("upsert"):
            return None, {"n": 0, "updatedExisting": False}
        doc = writes.upserted_document(selector, update, array_filters)
        writes.insert_one(connection, ns, doc)
        error = {"n": 1, "updatedExisting": False, "upserted": doc["_id"]}
        return (doc if command.get("new") else None), error

    # --- collections and indexes -------------------------------------------------

    def _create_indexes(self, ns: str, command: Doc) -> Doc:
        with self._store.writing() as connection:
            created_collection = writes.ensure_collection(connection, ns)
            before = len(writes.indexes(connection, ns))
            for spec in command.get("indexes", []):
                writes.create_index(connection, ns, dict(spec))
            after = len(writes.indexes(connection, ns))
        return {
            "createdCollectionAutomatically": created_collection,
            "numIndexesBefore": before,
            "numIndexesAfter": after,
            "ok": 1.0,
        }

    def _list_indexes(self, ns: str, command: Doc) -> Doc:
        connection = self._store.reader()
        if not writes.collection_exists(connection, ns):
            raise OperationFailure(f"ns does not exist: {ns}", code=NAMESPACE_NOT_FOUND)
        specs = writes.indexes(connection, ns)
        return {"cursor": {"firstBatch": specs, "id": 0, "ns": ns}, "ok": 1.0}

    def _drop_indexes(self, ns: str, command: Doc) -> Doc:
        target = command.get("index")
        with self._store.writing() as connection:
            if not writes.collection_exists(connection, ns):
                raise OperationFailure(f"ns not found: {ns}", code=NAMESPACE_NOT_FOUND)
            specs = writes.indexes(connection, ns)
            names = self._index_names(specs, target)
            for name in names:
                if not writes.drop_index(connection, ns, name):
                    raise OperationFailure(f"index not found with name [{name}]", code=27)
        return {"nIndexesWas": len(specs), "ok": 1.0}

    @staticmethod
    def _index_names(specs: list[Doc], target: Any) -> list[str]:
        if target == "*":
            return [spec["name"] for spec in specs[1:]]
        if isinstance(target, dict):
            return [spec["name"] for spec in specs if spec["key"] == target] or ["<no such key>"]
        return list(target) if isinstance(target, list) else [str(target)]

    def _drop(self, ns: str, command: Doc) -> Doc:
        with self._store.writing() as connection:
            writes.drop_collection(connection, ns)
        return {"ns": ns, "ok": 1.0}

    def _create(self, ns: str, command: Doc) -> Doc:
        with self._store.writing() as connection:
            if not writes.ensure_collection(connection, ns):
                raise OperationFailure(
                    f"Collection {ns} already exists.", code=writes.NAMESPACE_EXISTS
                )
        return {"ok": 1.0}

    def _rename(self, ns: str, command: Doc) -> Doc:
        raise OperationFailure(
            "renaming a chunk collection is not supported", code=ILLEGAL_OPERATION
        )

    # --- the database-level view -------------------------------------------------

    def collection_infos(self, db_name: str, command: Doc) -> list[Doc]:
        """listCollections entries for this database's chunk collections."""
        names = writes.list_namespaces(self._store.reader(), db_name)
        infos = [
            {
                "name": ns[len(db_name) + 1 :],
                "type": "collection",
                "options": {},
                "info": {"readOnly": False},
                "idIndex": writes.ID_INDEX,
            }
            for ns in names
        ]
        filter_spec = command.get("filter") or {}
        infos = [info for info in infos if QueryEngine.match(info, filter_spec)]
        if command.get("nameOnly"):
            return [{"name": info["name"], "type": "collection"} for info in infos]
        return infos

    def drop_database(self, db_name: str) -> None:
        with self._store.writing() as connection:
            for ns in writes.list_namespaces(connection, db_name):
                writes.drop_collection(connection, ns)
