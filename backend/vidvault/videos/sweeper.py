"""The sweeper: removes stored files that nothing will ever point at.

An upload writes its chunks first, then the file's document, then the video.
A process killed between those steps leaves an unfinished file (chunks
without a document) or a whole file without a video. Nothing else can
collect them, so every replica sweeps at start-up and then periodically.

An upload in progress looks exactly like a crashed one. Only age tells them
apart, so only files older than the grace period are touched: unfinished
files not written to since, whole files closed before it. The grace period
must outlast the longest pause in an upload (the time to fill one write
batch at the slowest client's speed) and the moment between a file's close
and its video's insert.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from beanie import Document
from bson import ObjectId
from pymongo.errors import PyMongoError

from vidvault.jobs.models import Job
from vidvault.storage import FileStorage
from vidvault.uploads import resumable
from vidvault.uploads.models import Upload
from vidvault.videos.models import OUTPUT_FILE_FIELDS, Video

logger = logging.getLogger(__name__)

# Every field that names a stored file, by the document that owns it. A job
# owns the outputs it is still storing: its worker, or the next one, removes them.
FILE_OWNERS: list[tuple[type[Document], str]] = [
    *((Video, field) for field in OUTPUT_FILE_FIELDS),
    (Job, "partial_files"),
    # An unfinished resumable upload owns the file with its own id until it expires.
    (Upload, "_id"),
]


@dataclass(frozen=True, slots=True)
class SweepReport:
    orphan_files: int
    orphan_chunk_groups: int
    expired_uploads: int = 0

    @property
    def removed_anything(self) -> bool:
        return bool(self.orphan_files or self.orphan_chunk_groups or self.expired_uploads)


async def owned_among(file_ids: list[ObjectId]) -> set[ObjectId]:
    owned: set[ObjectId] = set()
    for model, field in FILE_OWNERS:
        collection = model.get_pymongo_collection()
        owned.update(await collection.distinct(field, {field: {"$in": file_ids}}))
    return owned


async def _remove_expired_uploads(storage: FileStorage, now: datetime) -> int:
    expired = await resumable.remove_expired(storage, now)
    if expired:
        # The upload documents are gone; a file one of them finished into a video stays.
        owned = await owned_among(expired)
        await storage.delete_many([file_id for file_id in expired if file_id not in owned])
    return len(expired)


async def sweep(storage: FileStorage, grace: timedelta, now: datetime | None = None) -> SweepReport:
    """Remove expired uploads, then files nothing owns, whole or unfinished, older than `grace`."""
    now = now or datetime.now(UTC)
    expired_uploads = await _remove_expired_uploads(storage, now)
    cutoff = now - grace
    files = chunk_groups = 0
    async for batch in storage.unowned_files(cutoff, owned_among):
        await storage.delete_many(batch)
        files += len(batch)
    async for batch in storage.abandoned_unfinished_files(cutoff, owned_among):
        await storage.delete_many(batch)
        chunk_groups += len(batch)
    report = SweepReport(files, chunk_groups, expired_uploads)
    if report.removed_anything:
        logger.warning(
            "sweeper removed %d expired uploads, %d orphan files and %d abandoned unfinished files",
            expired_uploads,
            files,
            chunk_groups,
        )
    return report


async def sweep_forever(storage: FileStorage, grace: timedelta, interval: float) -> None:
    """Sweep now, then every `interval` seconds; a failed sweep is retried next time."""
    while True:
        try:
            await sweep(storage, grace)
        except PyMongoError as error:
            logger.warning("sweep skipped, the database is unavailable (%s)", type(error).__name__)
        await asyncio.sleep(interval)
