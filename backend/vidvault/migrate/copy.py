"""Copy every collection of one database into another, resumably, in bounded batches.

Collections are found, not listed: whatever the app owns today (users,
videos, throttles, jobs, shares, uploads, ...) and GridFS buckets are copied
alike, each with its indexes. Documents travel as raw BSON, untouched.

Order keeps the target consistent at every moment: GridFS chunks first, then
their `files` documents (a file is only visible once whole, as the app
writes them), then everything else.

Resuming: each collection is read in `_id` order and written with ordered
bulk upserts, so after an interruption everything up to the target's highest
`_id` is known to be there; the copy continues from that `_id` (rewriting it
once, harmlessly). Upserts by `_id` (by `files_id, n` for chunks) never
duplicate anything.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from bson.raw_bson import RawBSONDocument
from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

type RawCollection = AsyncCollection[RawBSONDocument]
type RawDatabase = AsyncDatabase[RawBSONDocument]

CHUNK_BATCH = 8  # GridFS chunks (up to a few MiB each) per round trip
DOCUMENT_BATCH = 500
INDEX_OPTIONS_NOT_COPIED = {"v", "key", "ns"}


def is_chunks(name: str) -> bool:
    return name.endswith(".chunks")


def copy_order(names: list[str]) -> list[str]:
    """Chunks, then files, then the rest; system collections are the server's own."""

    def rank(name: str) -> tuple[int, str]:
        return (0 if is_chunks(name) else 1 if name.endswith(".files") else 2), name

    return sorted((name for name in names if not name.startswith("system.")), key=rank)


@dataclass
class CollectionReport:
    name: str
    copied: int = 0
    resumed_after: Any = None


async def copy_indexes(source: RawCollection, target: RawCollection) -> None:
    async for spec in await source.list_indexes():
        if spec["name"] == "_id_":
            continue
        options = {k: v for k, v in spec.items() if k not in INDEX_OPTIONS_NOT_COPIED}
        await target.create_index(list(spec["key"].items()), **options)


async def _resume_point(target: RawCollection) -> Any:
    last = await target.find_one({}, {"_id": True}, sort=[("_id", -1)])
    return None if last is None else last["_id"]


def _upsert(name: str) -> Callable[[RawBSONDocument], ReplaceOne[RawBSONDocument]]:
    if is_chunks(name):
        return lambda doc: ReplaceOne(
            {"files_id": doc["files_id"], "n": doc["n"]}, doc, upsert=True
        )
    return lambda doc: ReplaceOne({"_id": doc["_id"]}, doc, upsert=True)


async def _batches(
    source: RawCollection, after: Any, size: int
) -> AsyncIterator[list[RawBSONDocument]]:
    query = {} if after is None else {"_id": {"$gte": after}}
    batch: list[RawBSONDocument] = []
    async with source.find(query, sort=[("_id", 1)], batch_size=size) as cursor:
        async for doc in cursor:
            batch.append(doc)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


async def copy_collection(
    source_db: RawDatabase, target_db: RawDatabase, name: str
) -> CollectionReport:
    source, target = source_db[name], target_db[name]
    await copy_indexes(source, target)
    report = CollectionReport(name, resumed_after=await _resume_point(target))
    upsert = _upsert(name)
    size = CHUNK_BATCH if is_chunks(name) else DOCUMENT_BATCH
    async for batch in _batches(source, report.resumed_after, size):
        await target.bulk_write([upsert(doc) for doc in batch], ordered=True)
        report.copied += len(batch)
    return report


async def copy_database(source_db: RawDatabase, target_db: RawDatabase) -> list[CollectionReport]:
    names = copy_order(await source_db.list_collection_names())
    return [await copy_collection(source_db, target_db, name) for name in names]
