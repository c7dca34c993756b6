"""Finding stored data that nothing owns, for the sweeper.

What owns a file is not storage's business (a video, a poster, an upload in
progress...): the caller passes `owned`, which says which of a batch of file
ids are owned. Storage only knows how old a file is:

- a whole file's `uploadDate` is written when it is closed, its latest moment;
- an unfinished file has no document. Its chunks carry no date, but their
  ObjectIds do: the highest-numbered chunk is the newest write, so a slow
  writer that keeps writing stays young. Its `files_id` is made when it
  begins, so an id younger than the cutoff needs no look at its chunks.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

from bson import ObjectId

from vidvault.storage.layout import Collections, Doc

type OwnedAmong = Callable[[list[ObjectId]], Awaitable[set[ObjectId]]]

BATCH = 500  # ids checked per round trip; bounded like every other cursor here


async def _batches(ids: AsyncIterator[ObjectId], size: int) -> AsyncIterator[list[ObjectId]]:
    batch: list[ObjectId] = []
    async for item in ids:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _closed_before(collections: Collections, cutoff: datetime) -> AsyncIterator[ObjectId]:
    cursor = collections.files.find(
        {"uploadDate": {"$lt": cutoff}}, projection={"_id": True}, batch_size=BATCH
    )
    async with cursor:
        async for doc in cursor:
            yield doc["_id"]


async def _begun_before(collections: Collections, cutoff: datetime) -> AsyncIterator[ObjectId]:
    # Sorted on the index prefix, MongoDB answers this from the (files_id, n)
    # index alone: no chunk is read, however large the store.
    pipeline: list[Doc] = [
        {"$match": {"files_id": {"$lt": ObjectId.from_datetime(cutoff)}}},
        {"$sort": {"files_id": 1}},
        {"$group": {"_id": "$files_id"}},
    ]
    cursor = await collections.chunks.aggregate(pipeline, batchSize=BATCH)
    async with cursor:
        async for doc in cursor:
            yield doc["_id"]


async def _written_since(collections: Collections, file_id: ObjectId, cutoff: datetime) -> bool:
    newest = await collections.chunks.find_one(
        {"files_id": file_id}, projection={"_id": True}, sort=[("n", -1)]
    )
    return newest is not None and newest["_id"] >= ObjectId.from_datetime(cutoff)


async def unowned_files(
    collections: Collections, cutoff: datetime, owned: OwnedAmong
) -> AsyncIterator[list[ObjectId]]:
    """Batches of whole files closed before `cutoff` that nothing owns."""
    async for batch in _batches(_closed_before(collections, cutoff), BATCH):
        taken = await owned(batch)
        if orphans := [file_id for file_id in batch if file_id not in taken]:
            yield orphans


async def abandoned_unfinished_files(
    collections: Collections, cutoff: datetime, owned: OwnedAmong
) -> AsyncIterator[list[ObjectId]]:
    """Batches of unfinished files (chunks, no document) unwritten since `cutoff`, unowned."""
    async for batch in _batches(_begun_before(collections, cutoff), BATCH):
        whole = set(await collections.files.distinct("_id", {"_id": {"$in": batch}}))
        taken = await owned(batch)
        orphans = [
            file_id
            for file_id in batch
            if file_id not in whole
            and file_id not in taken
            and not await _written_since(collections, file_id, cutoff)
        ]
        if orphans:
            yield orphans
