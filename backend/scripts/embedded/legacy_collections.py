"""Start-up migration: collections an older version left in mongoeco's engine move to our stores.

Before the chunk store existed, `fs.chunks` lived in mongoeco's SQLite engine
like any collection; before the document store, so did `videos`. At every
start, any collection that one of our stores now owns and that is still
found in the engine is copied over in bounded batches (indexes first, so
duplicates are refused as before), then dropped from the engine. Idempotent:
a copy cut short is finished by the next start, a document already copied
(same `_id`) is skipped.
"""

import logging
from typing import Any

from mongoeco.api import AsyncMongoClient

from scripts.embedded.store_commands import Backend
from scripts.embedded.write_rules import Doc

logger = logging.getLogger(__name__)

BATCH = 16  # 1 MiB chunks: memory stays bounded


def _copy_batch(backend: Backend, ns: str, batch: list[Doc]) -> None:
    with backend.store.writing() as connection:
        backend.writes.insert_many(connection, ns, batch, ordered=False)  # copied before: skipped


def _copy_indexes(backend: Backend, ns: str, specs: list[Doc]) -> None:
    with backend.store.writing() as connection:
        backend.writes.ensure_collection(connection, ns)
        known = {spec["name"] for spec in backend.writes.indexes(connection, ns)}
        for spec in specs:
            if spec["name"] not in known:
                backend.writes.create_index(
                    connection, ns, {k: v for k, v in spec.items() if k != "ns"}
                )


async def _move_collection(backend: Backend, collection: Any, ns: str) -> int:
    _copy_indexes(backend, ns, [spec async for spec in await collection.list_indexes()])
    moved, batch = 0, []
    async for doc in collection.find({}, sort=[("_id", 1)], batch_size=BATCH):
        batch.append(doc)
        if len(batch) == BATCH:
            _copy_batch(backend, ns, batch)
            moved, batch = moved + len(batch), []
    if batch:
        _copy_batch(backend, ns, batch)
        moved += len(batch)
    await collection.drop()
    return moved


async def move_legacy_collections(engine: Any, backends: list[Backend]) -> None:
    async with AsyncMongoClient(engine) as client:
        for db_name in await client.list_database_names():
            database = client[db_name]
            for name in await database.list_collection_names():
                backend = next((b for b in backends if b.owns(name)), None)
                if backend is not None:
                    ns = f"{db_name}.{name}"
                    moved = await _move_collection(backend, database[name], ns)
                    logger.warning("moved %d documents of %s to our own store", moved, ns)
