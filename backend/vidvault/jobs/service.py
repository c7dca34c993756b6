"""The job queue over MongoDB: enqueue, claim, renew, finish, retry, cancel.

Every transition is one atomic update conditioned on the state (and, for a
running job, on the lease owner), so any number of workers can share the
collection. A worker that stops renewing loses its job when the lease runs
out, and the next claim takes it over.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from vidvault.auth.models import utc_now
from vidvault.jobs.models import Job, JobState

type Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a job, and for how long each renewal holds it."""

    owner: str
    seconds: float

    def expiry(self) -> datetime:
        return utc_now() + timedelta(seconds=self.seconds)


def _jobs() -> AsyncCollection[Doc]:
    collection: AsyncCollection[Doc] = Job.get_pymongo_collection()
    return collection


def _held(job: Job, lease: Lease, state: JobState = JobState.RUNNING) -> Doc:
    return {"_id": job.id, "state": state, "lease_owner": lease.owner}


async def enqueue(video_id: PydanticObjectId, step: str) -> None:
    """Queue a step for a video; a step that already has a job keeps it (idempotent)."""
    now = utc_now()
    fresh = Job(video_id=video_id, step=step, run_after=now, created_at=now, updated_at=now)
    document = fresh.model_dump(by_alias=True, exclude={"id"})
    await _jobs().update_one(
        {"video_id": video_id, "step": step}, {"$setOnInsert": document}, upsert=True
    )


async def claim(lease: Lease) -> Job | None:
    """The oldest due job, or one whose worker's lease ran out, now held by `lease`."""
    now = utc_now()
    found = await _jobs().find_one_and_update(
        {
            "$or": [
                {"state": JobState.QUEUED, "run_after": {"$lte": now}},
                {"state": JobState.RUNNING, "lease_expires_at": {"$lt": now}},
            ]
        },
        {
            "$set": {
                "state": JobState.RUNNING,
                "lease_owner": lease.owner,
                "lease_expires_at": lease.expiry(),
                "progress": 0.0,
                "updated_at": now,
            },
            "$inc": {"attempts": 1},
        },
        sort=[("run_after", 1)],
        return_document=ReturnDocument.AFTER,
    )
    return Job.model_validate(found) if found else None


async def claim_abandoned_cancellation(lease: Lease) -> Job | None:
    """A cancelled job whose worker died before cleaning up after it."""
    found = await _jobs().find_one_and_update(
        {"state": JobState.CANCELLED, "lease_expires_at": {"$lt": utc_now()}},
        {"$set": {"lease_owner": lease.owner, "lease_expires_at": lease.expiry()}},
        return_document=ReturnDocument.AFTER,
    )
    return Job.model_validate(found) if found else None


async def renew(job: Job, lease: Lease, progress: float) -> bool:
    """Extend the lease and record progress; False once the job is no longer ours."""
    result = await _jobs().update_one(
        _held(job, lease),
        {
            "$set": {
                "lease_expires_at": lease.expiry(),
                "progress": progress,
                "updated_at": utc_now(),
            }
        },
    )
    return result.matched_count == 1


async def record_partial_file(job: Job, lease: Lease, file_id: PydanticObjectId) -> bool:
    """Note a file before its first byte is written, so it can never be orphaned."""
    result = await _jobs().update_one(_held(job, lease), {"$addToSet": {"partial_files": file_id}})
    return result.matched_count == 1


async def succeed(job: Job, lease: Lease) -> bool:
    result = await _jobs().update_one(
        _held(job, lease),
        {
            "$set": {
                "state": JobState.SUCCEEDED,
                "progress": 1.0,
                "partial_files": [],
                "error": None,
                "updated_at": utc_now(),
            },
            "$unset": {"lease_owner": "", "lease_expires_at": ""},
        },
    )
    return result.matched_count == 1


def backoff(attempts: int, base_seconds: float) -> timedelta:
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


async def give_back(
    job: Job, lease: Lease, reason: str, *, retry: bool, retry_base_seconds: float
) -> JobState | None:
    """After a failed attempt: queue a retry after a backoff, or fail for good.

    Returns the job's new state, or None when the job was no longer ours.
    """
    state = JobState.QUEUED if retry else JobState.FAILED
    update: Doc = {"state": state, "error": reason, "partial_files": [], "updated_at": utc_now()}
    if retry:
        update["run_after"] = utc_now() + backoff(job.attempts, retry_base_seconds)
    result = await _jobs().update_one(
        _held(job, lease),
        {"$set": update, "$unset": {"lease_owner": "", "lease_expires_at": ""}},
    )
    return state if result.matched_count == 1 else None


async def failed_for_good(batch_size: int) -> AsyncIterator[dict[PydanticObjectId, str]]:
    """The jobs that failed for good, as {video_id: reason}, a batch at a time."""
    batch: dict[PydanticObjectId, str] = {}
    async for job in _jobs().find(
        {"state": JobState.FAILED}, {"video_id": True, "error": True}, batch_size=batch_size
    ):
        batch[job["video_id"]] = job.get("error") or "processing failed"
        if len(batch) == batch_size:
            yield batch
            batch = {}
    if batch:
        yield batch


async def cancel_for_videos(video_ids: list[PydanticObjectId]) -> None:
    """The videos are gone: drop their jobs; a running one is left to its worker to clean up."""
    await _jobs().update_many(
        {"video_id": {"$in": video_ids}, "state": JobState.RUNNING},
        {"$set": {"state": JobState.CANCELLED, "updated_at": utc_now()}},
    )
    await _jobs().delete_many(
        {"video_id": {"$in": video_ids}, "state": {"$ne": JobState.CANCELLED}}
    )


async def forget(job: Job) -> None:
    """Remove the job of a deleted video, once its partial outputs are gone."""
    await _jobs().delete_one({"_id": job.id})


async def states_of(video_id: PydanticObjectId) -> dict[str, Job]:
    jobs = await Job.find(Job.video_id == video_id).to_list()
    return {job.step: job for job in jobs}


async def release(job: Job, lease: Lease) -> None:
    """Hand a job back untouched (the worker is shutting down): it does not count as an attempt."""
    await _jobs().update_one(
        _held(job, lease),
        {
            "$set": {"state": JobState.QUEUED, "run_after": utc_now(), "updated_at": utc_now()},
            "$unset": {"lease_owner": "", "lease_expires_at": ""},
            "$inc": {"attempts": -1},
        },
    )
