"""The sweeper: removes GridFS data that no video will ever point at.

An upload writes its chunks first, then the `fs.files` document, then the
`videos` document. A process killed between those steps leaves chunks
without a file, or a file without a video. Nothing else can collect them,
so every replica sweeps at start-up and then periodically.

An upload in progress looks exactly like a crashed one: chunks without a
file. Only age tells them apart, so only data older than the grace period
is touched: chunks whose newest one was written before it, files closed
before it. The grace period must outlast the longest pause in an upload
(the time to fill one write batch at the slowest client's speed) and the
moment between a file's close and its video's insert.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

type Doc = dict[str, Any]

BATCH = 500  # ids checked per round trip; bounded like every other cursor here


@dataclass(frozen=True, slots=True)
class SweepReport:
    orphan_files: int
    orphan_chunk_groups: int

    @property
    def removed_anything(self) -> bool:
        return bool(self.orphan_files or self.orphan_chunk_groups)


async def _batches(ids: AsyncIterator[ObjectId]) -> AsyncIterator[list[ObjectId]]:
    batch: list[ObjectId] = []
    async for item in ids:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def _old_file_ids(db: AsyncDatabase[Doc], cutoff: datetime) -> AsyncIterator[ObjectId]:
    # uploadDate is written when the file is closed: the latest moment of the upload.
    cursor = db["fs.files"].find(
        {"uploadDate": {"$lt": cutoff}}, projection={"_id": True}, batch_size=BATCH
    )
    async with cursor:
        async for doc in cursor:
            yield doc["_id"]


async def _chunk_file_ids(db: AsyncDatabase[Doc], cutoff: datetime) -> AsyncIterator[ObjectId]:
    # The distinct files_id of uploads begun before the cutoff (files_id is made
    # when an upload begins). Sorted on the index prefix, MongoDB answers this
    # from the (files_id, n) index alone: no chunk is read, however large the store.
    pipeline: list[Doc] = [
        {"$match": {"files_id": {"$lt": ObjectId.from_datetime(cutoff)}}},
        {"$sort": {"files_id": 1}},
        {"$group": {"_id": "$files_id"}},
    ]
    cursor = await db["fs.chunks"].aggregate(pipeline, batchSize=BATCH)
    async with cursor:
        async for doc in cursor:
            yield doc["_id"]


async def _written_since(db: AsyncDatabase[Doc], file_id: ObjectId, cutoff: datetime) -> bool:
    # Chunks carry no date, but their ObjectIds do: the highest-numbered chunk
    # is the newest write, so a slow upload that keeps writing stays safe.
    newest = await db["fs.chunks"].find_one(
        {"files_id": file_id}, projection={"_id": True}, sort=[("n", -1)]
    )
    return newest is not None and newest["_id"] >= ObjectId.from_datetime(cutoff)


async def _sweep_files(db: AsyncDatabase[Doc], cutoff: datetime) -> int:
    removed = 0
    async for batch in _batches(_old_file_ids(db, cutoff)):
        used = set(await db["videos"].distinct("file_id", {"file_id": {"$in": batch}}))
        orphans = [file_id for file_id in batch if file_id not in used]
        if orphans:
            # The files document first, as GridFS itself deletes: should we stop
            # halfway, what is left is orphan chunks, which the next step collects.
            await db["fs.files"].delete_many({"_id": {"$in": orphans}})
            await db["fs.chunks"].delete_many({"files_id": {"$in": orphans}})
            removed += len(orphans)
    return removed


async def _sweep_chunks(db: AsyncDatabase[Doc], cutoff: datetime) -> int:
    removed = 0
    async for batch in _batches(_chunk_file_ids(db, cutoff)):
        present = set(await db["fs.files"].distinct("_id", {"_id": {"$in": batch}}))
        for file_id in batch:
            if file_id in present or await _written_since(db, file_id, cutoff):
                continue
            await db["fs.chunks"].delete_many({"files_id": file_id})
            removed += 1
    return removed


async def sweep(
    db: AsyncDatabase[Doc], grace: timedelta, now: datetime | None = None
) -> SweepReport:
    """Remove files without a video and chunks without a file, older than `grace`."""
    cutoff = (now or datetime.now(UTC)) - grace
    files = await _sweep_files(db, cutoff)
    chunk_groups = await _sweep_chunks(db, cutoff)
    report = SweepReport(orphan_files=files, orphan_chunk_groups=chunk_groups)
    if report.removed_anything:
        logger.warning(
            "sweeper removed %d orphan GridFS files and the chunks of %d unfinished uploads",
            files,
            chunk_groups,
        )
    return report


async def sweep_forever(db: AsyncDatabase[Doc], grace: timedelta, interval: float) -> None:
    """Sweep now, then every `interval` seconds; a failed sweep is retried next time."""
    while True:
        try:
            await sweep(db, grace)
        except PyMongoError as error:
            logger.warning("sweep skipped, the database is unavailable (%s)", type(error).__name__)
        await asyncio.sleep(interval)
