"""What the worker does with a step's results: store the outputs, update the video.

Every output file is recorded in its job before its first byte is written,
so an attempt that dies halfway leaves nothing that the next claimant (or
the cancellation) cannot find and remove. A video's pointers are set in one
update conditioned on the video still existing; a file they replace (made
by an earlier attempt whose worker died after storing it) is removed.
"""

from pathlib import Path
from typing import Any

import anyio
from beanie import PydanticObjectId
from pymongo import ReturnDocument

from vidvault.auth.models import utc_now
from vidvault.jobs import service as jobs
from vidvault.jobs.models import Job
from vidvault.jobs.service import Lease
from vidvault.media.steps import Step
from vidvault.media.task import ImageOutput, InspectResult, TranscodeResult
from vidvault.storage import FileStorage, StoredFile
from vidvault.videos.models import (
    PlaybackCopy,
    StoredImage,
    StoryboardSheet,
    Video,
    VideoStatus,
)

# The share of a video's progress bar each step covers.
PROGRESS_SPANS = {Step.INSPECT: (0, 20), Step.TRANSCODE: (20, 100)}
UPLOAD_PIECE_BYTES = 1024 * 1024

type Doc = dict[str, Any]


class JobLost(Exception):
    """The job is no longer ours: cancelled (the video was deleted) or taken over."""


def video_progress(step: Step, fraction: float) -> int:
    low, high = PROGRESS_SPANS[step]
    return round(low + (high - low) * min(max(fraction, 0.0), 1.0))


async def _upload(
    storage: FileStorage, path: Path, file_id: PydanticObjectId, name: str, content_type: str
) -> StoredFile:
    metadata = {"content_type": content_type}
    async with storage.new_file(name, metadata, file_id=file_id) as file:
        async with await anyio.open_file(path, "rb") as local:
            while piece := await local.read(UPLOAD_PIECE_BYTES):
                await file.write(piece)
        return await file.close()


async def store_output(
    job: Job, lease: Lease, storage: FileStorage, path: Path, name: str, content_type: str
) -> StoredFile:
    file_id = PydanticObjectId()
    if not await jobs.record_partial_file(job, lease, file_id):
        raise JobLost
    return await _upload(storage, path, file_id, name, content_type)


async def _image(
    job: Job, lease: Lease, storage: FileStorage, image: ImageOutput, name: str
) -> StoredImage:
    stored = await store_output(job, lease, storage, image.path, name, image.content_type)
    file_id = PydanticObjectId(stored.id)
    return StoredImage(
        file_id=file_id, content_type=image.content_type, width=image.width, height=image.height
    )


async def _point_video_at(
    video_id: PydanticObjectId, fields: Doc, outputs: list[str], storage: FileStorage
) -> bool:
    """Set the video's fields; False if it is gone. Outputs it had before are removed."""
    before = await Video.get_pymongo_collection().find_one_and_update(
        {"_id": video_id},
        {"$set": fields},
        projection=dict.fromkeys(outputs, True),
        return_document=ReturnDocument.BEFORE,
    )
    if before is None:
        return False
    replaced = [before[name]["file_id"] for name in outputs if before.get(name)]
    if replaced:
        await storage.delete_many(replaced)
    return True


async def commit_inspection(
    job: Job, lease: Lease, storage: FileStorage, result: InspectResult
) -> bool:
    """Store poster and storyboard, record what the probe found; False if the video is gone."""
    poster = await _image(job, lease, storage, result.poster, "poster.webp")
    board = result.storyboard
    sprite = await _image(job, lease, storage, board.sprite, "storyboard.webp")
    sheet = StoryboardSheet(
        file_id=sprite.file_id,
        content_type=sprite.content_type,
        **board.model_dump(exclude={"sprite"}),
    )
    fields: Doc = result.probe.as_document() | {
        "plays_in_browsers": result.plays_in_browsers,
        "poster": poster.model_dump(),
        "storyboard": sheet.model_dump(),
        "processing_error": None,
    }
    if result.plays_in_browsers:
        fields |= {"status": VideoStatus.READY, "progress": 100}
    else:
        fields["progress"] = video_progress(Step.INSPECT, 1.0)
        await jobs.enqueue(job.video_id, Step.TRANSCODE)
    return await _point_video_at(job.video_id, fields, ["poster", "storyboard"], storage)


async def commit_copy(
    job: Job, lease: Lease, storage: FileStorage, result: TranscodeResult
) -> bool:
    stored = await store_output(
        job, lease, storage, result.path, "playback.mp4", result.content_type
    )
    copy = PlaybackCopy(
        file_id=PydanticObjectId(stored.id),
        content_type=result.content_type,
        size=stored.length,
        chunk_size=stored.chunk_size,
        created_at=utc_now(),
    )
    fields: Doc = {
        "playback_copy": copy.model_dump(),
        "status": VideoStatus.READY,
        "progress": 100,
        "processing_error": None,
    }
    return await _point_video_at(job.video_id, fields, ["playback_copy"], storage)


async def record_progress(job: Job, step: Step, fraction: float) -> None:
    await Video.get_pymongo_collection().update_one(
        {"_id": job.video_id, "status": VideoStatus.PROCESSING},
        {"$set": {"progress": video_progress(step, fraction)}},
    )


async def record_failure(video_id: PydanticObjectId, reason: str) -> None:
    await Video.get_pymongo_collection().update_one(
        {"_id": video_id},
        {"$set": {"status": VideoStatus.FAILED, "processing_error": reason}},
    )


async def record_unrecorded_failures(batch_size: int = 500) -> int:
    """Mark failed every video still processing although one of its jobs failed for good.

    A job's final failure and its video's are two writes (two collections): a
    worker that dies between them leaves the video processing forever, with no
    job left to run. Every worker repairs that now and then; the repair is
    idempotent, so workers may overlap. Returns how many videos it marked.
    """
    videos = Video.get_pymongo_collection()
    marked = 0
    async for reasons in jobs.failed_for_good(batch_size):
        stuck = videos.find(
            {"_id": {"$in": list(reasons)}, "status": VideoStatus.PROCESSING}, {"_id": True}
        )
        async for video in stuck:
            await record_failure(video["_id"], reasons[video["_id"]])
            marked += 1
    return marked
