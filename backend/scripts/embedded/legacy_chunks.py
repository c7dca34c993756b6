"""Start-up migration: chunks an older version left in mongoeco's engine move to the chunk store.

Before the chunk store existed, `fs.chunks` lived in mongoeco's SQLite engine
like any collection. At every start, any chunk collection still found there
is copied over in bounded batches (indexes first, so duplicates are refused
as before), then dropped from the engine. Idempotent: a copy cut short is
finished by the next start, a chunk already copied (same `_id`) is skipped.
"""

import logging
from typing import Any

from mongoeco.api import AsyncMongoClient

from scripts.embedded import chunk_writes as writes
from scripts.embedded.chunk_commands import is_chunk_collection
from scripts.embedded.chunk_store import ChunkStore, Doc

logger = logging.getLogger(__name__)

BATCH = 16  # 1 MiB chunks: memory stays bounded


def _copy_batch(store: ChunkStore, ns: str, batch: list[Doc]) -> None:
    with store.writing() as connection:
        writes.insert_many(connection, ns, batch, ordered=False)  # copied before: skipped


def _copy_indexes(store: ChunkStore, ns: str, specs: list[Doc]) -> None:
    with store.writing() as connection:
        writes.ensure_collection(connection, ns)
        known = {spec["name"] for spec in writes.indexes(connection, ns)}
        for spec in specs:
            if spec["name"] not in known:
                writes.create_index(connection, ns, {k: v for k, v in spec.items() if k != "ns"})


async def _move_collection(store: ChunkStore, collection: Any, ns: str) -> int:
    _copy_indexes(store, ns, [spec async for spec in await collection.list_indexes()])
    moved, batch = 0, []
    async for doc in collection.find({}, sort=[("_id", 1)], batch_size=BATCH):
        batch.append(doc)
        if len(batch) == BATCH:
            _copy_batch(store, ns, batch)
            moved, batch = moved + len(batch), []
    if batch:
        _copy_batch(store, ns, batch)
        moved += len(batch)
    await collection.drop()
    return moved


async def move_legacy_chunks(engine: Any, store: ChunkStore) -> None:
    async with AsyncMongoClient(engine) as client:
        for db_name in await client.list_database_names():
            database = client[db_name]
            for name in await database.list_collection_names():
                if is_chunk_collection(name):
                    moved = await _move_collection(store, database[name], f"{db_name}.{name}")
                    logger.warning(
                        "moved %d chunks of %s.%s to the chunk store", moved, db_name, name
                    )
