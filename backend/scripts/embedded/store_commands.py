"""The wire commands on the collections our own stores keep, answered from them.

Each store (a Backend) owns collections by name: every `<bucket>.chunks` is
the chunk store's, the collections listed in DOCUMENT_COLLECTIONS the
document store's; everything else stays with mongoeco's engine. A command
here answers exactly as MongoDB would (same reply shapes, same error codes),
so drivers and the backend cannot tell. Each command runs in a worker thread:
SQLite and fsync never block the server's event loop.
"""

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from types import ModuleType
from typing import Any

from mongoeco.core.aggregation import apply_pipeline
from mongoeco.core.filtering import QueryEngine
from mongoeco.errors import OperationFailure

from scripts.embedded import chunk_queries, chunk_writes, doc_queries, doc_writes
from scripts.embedded import write_rules as rules
from scripts.embedded.chunk_cursors import DEFAULT_FIRST_BATCH, ChunkCursor, ChunkCursors, Sendable
from scripts.embedded.chunk_queries import mentions_data, projection_needs_data, projector
from scripts.embedded.chunk_store import ChunkStore
from scripts.embedded.command_options import refuse_unsupported_options
from scripts.embedded.cursor_replies import cursor_reply
from scripts.embedded.doc_store import DocumentStore, as_sent
from scripts.embedded.index_keys import distinct_values
from scripts.embedded.store_file import StoreFile
from scripts.embedded.write_rules import Doc, Rows

CHUNK_SUFFIX = ".chunks"
# Collections served by the document store, in any database: `videos`, whose
# queries need real compound and multikey indexes (the library's search and
# sorts, vidvault/videos/models.py), and `uploads`, which every resumable
# upload's PATCH writes twice (claim, then offset): in mongoeco's engine those
# two writes cost 5-6 ms of its CPU, here 2.3 ms, each fsynced before it is
# acknowledged, as the chunks it counts are (bench/NOTES.md).
DOCUMENT_COLLECTIONS = frozenset({"videos", "uploads"})
STORE_THREADS = 6  # asyncio's default for 2 cores; each store has its own
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


@dataclass(frozen=True)
class Backend:
    """One of our stores: the collections it owns, its file, its writes and queries.

    `writes` is a module with chunk_writes.py's functions (doc_writes.py has the
    same); `query(ns, filter, sort, with_data=...)` reads (row id, document) pairs.
    """

    owns: Callable[[str], bool]
    store: StoreFile
    writes: ModuleType
    query: Callable[..., Rows]
    # Its own worker threads: a search never queues behind 16 streams' chunk reads.
    threads: ThreadPoolExecutor

    async def run[T](self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.threads, work, *args)


def is_chunk_collection(name: object) -> bool:
    return isinstance(name, str) and name.endswith(CHUNK_SUFFIX) and len(name) > len(CHUNK_SUFFIX)


def is_document_collection(name: object) -> bool:
    return name in DOCUMENT_COLLECTIONS


def chunk_backend(store: ChunkStore) -> Backend:
    threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="chunks")
    return Backend(is_chunk_collection, store, chunk_writes, chunk_queries.Query, threads)


def document_backend(store: DocumentStore) -> Backend:
    threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="documents")
    return Backend(is_document_collection, store, doc_writes, doc_queries.Query, threads)


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


def _after_leading_match(pipeline: list[Doc]) -> list[Doc]:
    """The stages after the leading $match stages, which the query has applied."""
    leading = next((i for i, stage in enumerate(pipeline) if "$match" not in stage), len(pipeline))
    return pipeline[leading:]


def _counting(pipeline: list[Doc]) -> tuple[Any, str] | None:
    """(group _id, field) for a pipeline that only counts its matches (count_documents')."""
    stages = [stage for stage in pipeline if "$match" not in stage]
    if len(stages) != 1 or set(stages[0]) != {"$group"} or not _leading_only(pipeline):
        return None
    group = stages[0]["$group"]
    fields = [name for name in group if name != "_id"]
    group_id = group.get("_id")
    constant = not isinstance(group_id, dict | list) and not str(group_id).startswith("$")
    if len(fields) != 1 or not constant or group[fields[0]] != {"$sum": 1}:
        return None
    return group_id, fields[0]


def _leading_only(pipeline: list[Doc]) -> bool:
    # Every $match comes before the $group.
    return all("$match" in stage for stage in pipeline[:-1])


class StoreCommands:
    def __init__(self, backends: list[Backend]) -> None:
        self._backends = backends
        self._cursors = ChunkCursors()
        self._handlers: dict[str, Callable[[Backend, str, Doc], Doc]] = {
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

    def _backend(self, collection: object) -> Backend | None:
        if not isinstance(collection, str):
            return None
        return next((backend for backend in self._backends if backend.owns(collection)), None)

    def owns(self, command_name: str, command: Doc) -> bool:
        if command_name in COLLECTION_COMMANDS:
            return self._backend(command[command_name]) is not None
        if command_name == "getMore":
            return self._cursors.owns(_integer(command["getMore"]) or 0)
        return command_name == "killCursors" and self._backend(command["killCursors"]) is not None

    async def execute(self, db_name: str, command_name: str, command: Doc) -> Doc:
        refuse_unsupported_options(command_name, command)
        target = command.get("collection") if command_name == "getMore" else command[command_name]
        ns = f"{db_name}.{target}"
        backend = self._backend(target)
        if command_name == "getMore":
            return await self._get_more(backend, ns, command)
        assert backend is not None  # owns() said so
        if command_name == "find":
            return await self._find(backend, ns, command)
        if command_name == "aggregate":
            return await self._aggregate(backend, ns, command)
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
        return await backend.run(self._handlers[command_name], backend, ns, command)

    # --- reads -----------------------------------------------------------------

    async def _reply_with_cursor(
        self,
        backend: Backend,
        ns: str,
        documents: Iterator[Sendable],
        batch_size: int | None,
        single: bool = False,
        limit: int | None = None,
    ) -> Doc:
        cursor = ChunkCursor(ns, documents, remaining=limit)
        first = await backend.run(cursor.next_batch, batch_size)
        if single:
            cursor.exhausted = True
        return cursor_reply("firstBatch", first, self._cursors.keep(cursor), ns)

    async def _find(self, backend: Backend, ns: str, command: Doc) -> Doc:
        filter_spec = command.get("filter") or {}
        projection = command.get("projection")
        query = backend.query(
            ns,
            filter_spec,
            command.get("sort") or None,
            with_data=projection_needs_data(projection) or mentions_data(filter_spec),
        )
        skip, limit = _integer(command.get("skip"), 0) or 0, _integer(command.get("limit"), 0) or 0
        # Unprojected, a stored document goes out as the bytes it was read from.
        project = as_sent if projection is None else projector(projection, filter_spec)
        rows = (doc for _, doc in query.documents(backend.store.reader))
        # The limit is the cursor's (`remaining`): it stops reading there and closes.
        documents = map(project, islice(rows, skip, None))
        batch = _integer(command.get("batchSize"), DEFAULT_FIRST_BATCH)
        if limit:
            batch = min(batch or limit, limit)
        single = bool(command.get("singleBatch"))
        return await self._reply_with_cursor(backend, ns, documents, batch, single, limit or None)

    async def _get_more(self, backend: Backend | None, ns: str, command: Doc) -> Doc:
        cursor_id = _integer(command["getMore"]) or 0
        cursor = self._cursors.get(cursor_id, ns)
        assert backend is not None  # the cursor's namespace is one of ours
        batch = await backend.run(cursor.next_batch, _integer(command.get("batchSize")))
        if cursor.exhausted:
            self._cursors.release(cursor_id)
            cursor_id = 0
        return cursor_reply("nextBatch", batch, cursor_id, ns)

    async def _aggregate(self, backend: Backend, ns: str, command: Doc) -> Doc:
        pipeline = command.get("pipeline") or []
        if any(next(iter(stage), "") in {"$out", "$merge"} for stage in pipeline):
            raise OperationFailure(
                "$out and $merge from this collection are not supported by the embedded database",
                code=ILLEGAL_OPERATION,
            )
        query = backend.query(
            ns, _leading_match(pipeline), with_data=_aggregate_needs_data(pipeline)
        )

        def run() -> list[Doc]:
            if (counted := _counting(pipeline)) is not None:
                total = query.exact_count(backend.store.reader)
                if total is not None:
                    group_id, field = counted
                    return [{"_id": group_id, field: total}] if total else []
            docs = (doc for _, doc in query.documents(backend.store.reader))
            return list(apply_pipeline(docs, _after_leading_match(pipeline)))

        results = await backend.run(run)
        batch = _integer((command.get("cursor") or {}).get("batchSize"), DEFAULT_FIRST_BATCH)
        return await self._reply_with_cursor(backend, ns, iter(results), batch)

    def _count(self, backend: Backend, ns: str, command: Doc) -> Doc:
        query = backend.query(
            ns, command.get("query") or {}, with_data=mentions_data(command.get("query"))
        )
        skip, limit = _integer(command.get("skip"), 0) or 0, _integer(command.get("limit"), 0) or 0
        total = query.exact_count(backend.store.reader)
        if total is not None:
            counted = max(0, total - skip)
            return {"n": min(counted, limit) if limit else counted, "ok": 1.0}
        matches = islice(
            query.documents(backend.store.reader), skip, skip + limit if limit else None
        )
        return {"n": sum(1 for _ in matches), "ok": 1.0}

    def _distinct(self, backend: Backend, ns: str, command: Doc) -> Doc:
        key = command["key"]
        filter_spec = {"$and": [command.get("query") or {}, {key: {"$exists": True}}]}
        query = backend.query(
            ns, filter_spec, with_data=key == "data" or mentions_data(filter_spec)
        )
        docs = (doc for _, doc in query.documents(backend.store.reader))
        return {"values": distinct_values(docs, key), "ok": 1.0}

    # --- writes ----------------------------------------------------------------

    def _insert(self, backend: Backend, ns: str, command: Doc) -> Doc:
        with backend.store.writing() as connection:
            report: rules.WriteReport = backend.writes.insert_many(
                connection, ns, list(command.get("documents", [])), command.get("ordered", True)
            )
        return report.reply()

    def _update(self, backend: Backend, ns: str, command: Doc) -> Doc:
        report = rules.WriteReport()
        with backend.store.writing() as connection:
            for index, statement in enumerate(command.get("updates", [])):
                try:
                    self._update_one_statement(backend, connection, ns, index, statement, report)
                except OperationFailure as error:
                    report.errors.append(rules.write_error(index, error))
                    if command.get("ordered", True):
                        break
        return report.reply(with_modified=True)

    def _update_one_statement(
        self,
        backend: Backend,
        connection: Any,
        ns: str,
        index: int,
        statement: Doc,
        report: rules.WriteReport,
    ) -> None:
        selector, update = statement.get("q") or {}, statement.get("u")
        array_filters = statement.get("arrayFilters")
        limit = None if statement.get("multi") else 1
        targets = list(rules.matching(connection, backend.query(ns, selector), limit))
        for rowid, old in targets:
            new = rules.updated(old, update, selector, array_filters)
            report.n += 1
            if rules.changes(old, new):
                backend.writes.replace_row(connection, ns, rowid, new)
                report.modified += 1
        if not targets and statement.get("upsert"):
            doc = rules.upserted_document(selector, update, array_filters)
            backend.writes.ensure_collection(connection, ns)  # only an upsert creates it
            backend.writes.insert_one(connection, ns, doc)
            report.n += 1
            report.upserted.append({"index": index, "_id": doc["_id"]})

    def _delete(self, backend: Backend, ns: str, command: Doc) -> Doc:
        report = rules.WriteReport()
        with backend.store.writing() as connection:
            for statement in command.get("deletes", []):
                selector = statement.get("q") or {}
                limit = 1 if _integer(statement.get("limit"), 0) else None
                query = backend.query(ns, selector, with_data=mentions_data(selector))
                rowids = [rowid for rowid, _ in rules.matching(connection, query, limit)]
                backend.writes.delete_rows(connection, rowids)
                report.n += len(rowids)
        return report.reply()

    def _find_and_modify(self, backend: Backend, ns: str, command: Doc) -> Doc:
        selector = command.get("query") or {}
        with backend.store.writing() as connection:
            query = backend.query(ns, selector, command.get("sort") or None)
            found = next(rules.matching(connection, query, 1), None)
            value, last_error = self._modify(backend, connection, ns, command, selector, found)
        if value is not None:
            value = projector(command.get("fields"), selector)(value)
        return {"lastErrorObject": last_error, "value": value, "ok": 1.0}

    def _modify(
        self,
        backend: Backend,
        connection: Any,
        ns: str,
        command: Doc,
        selector: Doc,
        found: tuple[int, Doc] | None,
    ) -> tuple[Doc | None, Doc]:
        update, array_filters = command.get("update"), command.get("arrayFilters")
        if command.get("remove"):
            if found is not None:
                backend.writes.delete_rows(connection, [found[0]])
            return (found[1] if found else None), {"n": int(found is not None)}
        if found is not None:
            rowid, old = found
            new = rules.updated(old, update, selector, array_filters)
            backend.writes.replace_row(connection, ns, rowid, new)
            return (new if command.get("new") else old), {"n": 1, "updatedExisting": True}
        if not command.get("upsert"):
            return None, {"n": 0, "updatedExisting": False}
        doc = rules.upserted_document(selector, update, array_filters)
        backend.writes.ensure_collection(connection, ns)
        backend.writes.insert_one(connection, ns, doc)
        error = {"n": 1, "updatedExisting": False, "upserted": doc["_id"]}
        return (doc if command.get("new") else None), error

    # --- collections and indexes -------------------------------------------------

    def _create_indexes(self, backend: Backend, ns: str, command: Doc) -> Doc:
        with backend.store.writing() as connection:
            created_collection = backend.writes.ensure_collection(connection, ns)
            before = len(backend.writes.indexes(connection, ns))
            for spec in command.get("indexes", []):
                backend.writes.create_index(connection, ns, dict(spec))
            after = len(backend.writes.indexes(connection, ns))
        return {
            "createdCollectionAutomatically": created_collection,
            "numIndexesBefore": before,
            "numIndexesAfter": after,
            "ok": 1.0,
        }

    def _list_indexes(self, backend: Backend, ns: str, command: Doc) -> Doc:
        connection = backend.store.reader()
        if not backend.writes.collection_exists(connection, ns):
            raise OperationFailure(f"ns does not exist: {ns}", code=NAMESPACE_NOT_FOUND)
        specs = backend.writes.indexes(connection, ns)
        return {"cursor": {"firstBatch": specs, "id": 0, "ns": ns}, "ok": 1.0}

    def _drop_indexes(self, backend: Backend, ns: str, command: Doc) -> Doc:
        target = command.get("index")
        with backend.store.writing() as connection:
            if not backend.writes.collection_exists(connection, ns):
                raise OperationFailure(f"ns not found: {ns}", code=NAMESPACE_NOT_FOUND)
            specs = backend.writes.indexes(connection, ns)
            names = self._index_names(specs, target)
            for name in names:
                if not backend.writes.drop_index(connection, ns, name):
                    raise OperationFailure(f"index not found with name [{name}]", code=27)
        return {"nIndexesWas": len(specs), "ok": 1.0}

    @staticmethod
    def _index_names(specs: list[Doc], target: Any) -> list[str]:
        if target == "*":
            return [spec["name"] for spec in specs[1:]]
        if isinstance(target, dict):
            named = [spec["name"] for spec in specs if rules.same_key(spec["key"], target)]
            return named or ["<no such key>"]
        return list(target) if isinstance(target, list) else [str(target)]

    def _drop(self, backend: Backend, ns: str, command: Doc) -> Doc:
        with backend.store.writing() as connection:
            backend.writes.drop_collection(connection, ns)
        return {"ns": ns, "ok": 1.0}

    def _create(self, backend: Backend, ns: str, command: Doc) -> Doc:
        with backend.store.writing() as connection:
            if not backend.writes.ensure_collection(connection, ns):
                raise OperationFailure(
                    f"Collection {ns} already exists.", code=rules.NAMESPACE_EXISTS
                )
        return {"ok": 1.0}

    def _rename(self, backend: Backend, ns: str, command: Doc) -> Doc:
        raise OperationFailure(
            "renaming this collection is not supported by the embedded database",
            code=ILLEGAL_OPERATION,
        )

    # --- the database-level view -------------------------------------------------

    async def collection_infos(self, db_name: str, command: Doc) -> list[Doc]:
        """listCollections entries for this database's collections in our stores."""
        names = [
            ns
            for backend in self._backends
            for ns in await backend.run(_namespaces, backend, db_name)
        ]
        infos = [
            {
                "name": ns[len(db_name) + 1 :],
                "type": "collection",
                "options": {},
                "info": {"readOnly": False},
                "idIndex": rules.ID_INDEX,
            }
            for ns in names
        ]
        filter_spec = command.get("filter") or {}
        infos = [info for info in infos if QueryEngine.match(info, filter_spec)]
        if command.get("nameOnly"):
            return [{"name": info["name"], "type": "collection"} for info in infos]
        return infos

    async def drop_database(self, db_name: str) -> None:
        # In the stores' threads, as every command: SQLite and fsync never block the event loop.
        for backend in self._backends:
            await backend.run(_drop_all, backend, db_name)


def _namespaces(backend: Backend, db_name: str) -> list[str]:
    names: list[str] = backend.writes.list_namespaces(backend.store.reader(), db_name)
    return names


def _drop_all(backend: Backend, db_name: str) -> None:
    with backend.store.writing() as connection:
        for ns in backend.writes.list_namespaces(connection, db_name):
            backend.writes.drop_collection(connection, ns)
