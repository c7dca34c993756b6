"""Start-up migration: every video gets a processing status and its jobs.

Videos stored before processing existed have no `status`; a video whose
first job could not be queued (the database blinked between the two
writes) is `processing` with no job. Both get their INSPECT job, then the
status. Idempotent: queuing an existing job is a no-op, and a finished
video is never touched again.
"""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vidvault.jobs import service as jobs
from vidvault.media.steps import Step
from vidvault.videos.models import Video, VideoStatus

BATCH = 500

type Doc = dict[str, Any]


async def queue_unprocessed_videos(db: AsyncDatabase[Doc]) -> int:
    """Queue INSPECT for videos that need processing; returns how many were looked at."""
    videos = db[Video.get_collection_name()]
    needing: dict[str, Any] = {
        "$or": [{"status": {"$exists": False}}, {"status": VideoStatus.PROCESSING}]
    }
    seen = 0
    cursor = videos.find(needing, projection={"_id": True}, batch_size=BATCH)
    async with cursor:
        async for video in cursor:
            await jobs.enqueue(video["_id"], Step.INSPECT)
            seen += 1
    # Jobs first, then the status: stopped in between, the next start does both again.
    await videos.update_many(
        {"status": {"$exists": False}},
        {"$set": {"status": VideoStatus.PROCESSING, "progress": 0}},
    )
    return seen
