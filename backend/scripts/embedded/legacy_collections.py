"""Start-up migration: collections an older version left in mongoeco's engine move to our stores.

Before the chunk store existed, `fs.chunks` lived in mongoeco's SQLite engine
like any collection; before the document store, so did `videos`. At every
start, any collection that one of our stores now owns and that is still
found in the engine is copied over in bounded batches (indexes first, so
duplicates are refused as before), then dropped from the engine. Idempotent:
a copy cut short is finished by the next start, a document already copied
(same `_id`) is skipped. A document our store refuses (a key the older
engine let through) is never dropped: the whole collection is then kept in
the engine under another name (`<name>.not_moved.<time>`), readable over the
wire, and the refusals are logged.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from mongoeco.api import AsyncMongoClient

from scripts.embedded.store_commands import Backend
from scripts.embedded.write_rules import DUPLICATE_KEY, Doc

logger = logging.getLogger(__name__)

BATCH = 16  # 1 MiB chunks: memory stays bounded


def _copy_batch(backend: Backend, ns: str, batch: list[Doc]) -> list[Doc]:
    """Copy documents; the write errors of those our store refused."""
    with backend.store.writing() as connection:
        report = backend.writes.insert_many(connection, ns, batch, ordered=False)
    return [error for error in report.errors if not _copied_before(error)]


def _copied_before(error: Doc) -> bool:
    """A duplicate `_id`: an earlier start copied this document already."""
    return error["code"] == DUPLICATE_KEY and error.get("keyPattern") == {"_id": 1}


def _copy_indexes(backend: Backend, ns: str, specs: list[Doc]) -> None:
    with backend.store.writing() as connection:
        backend.writes.ensure_collection(connection, ns)
        known = {spec["name"] for spec in backend.writes.indexes(connection, ns)}
        for spec in specs:
            if spec["name"] not in known:
                backend.writes.create_index(
                    connection, ns, {k: v for k, v in spec.items() if k != "ns"}
                )


async def _copy_documents(backend: Backend, collection: Any, ns: str) -> tuple[int, list[Doc]]:
    """(documents read, write errors of the refused ones), in bounded batches."""
    read, refused, batch = 0, [], []
    async for doc in collection.find({}, sort=[("_id", 1)], batch_size=BATCH):
        batch.append(doc)
        if len(batch) == BATCH:
            refused += _copy_batch(backend, ns, batch)
            read, batch = read + len(batch), []
    if batch:
        refused += _copy_batch(backend, ns, batch)
        read += len(batch)
    return read, refused


async def _move_collection(backend: Backend, collection: Any, ns: str) -> None:
    _copy_indexes(backend, ns, [spec async for spec in await collection.list_indexes()])
    read, refused = await _copy_documents(backend, collection, ns)
    if not refused:
        await collection.drop()
        logger.warning("moved %d documents of %s to our own store", read, ns)
        return
    kept = f"{collection.name}.not_moved.{datetime.now(UTC):%Y%m%dT%H%M%S}"
    await collection.rename(kept)
    logger.error(
        "%d of %d documents of %s could not move to our own store (%s); the collection"
        " is kept whole in the engine as %s",
        len(refused),
        read,
        ns,
        "; ".join(error["errmsg"] for error in refused[:3]),
        kept,
    )


async def move_legacy_collections(engine: Any, backends: list[Backend]) -> None:
    async with AsyncMongoClient(engine) as client:
        for db_name in await client.list_database_names():
            database = client[db_name]
            for name in await database.list_collection_names():
                backend = next((b for b in backends if b.owns(name)), None)
                if backend is not None:
                    await _move_collection(backend, database[name], f"{db_name}.{name}")
