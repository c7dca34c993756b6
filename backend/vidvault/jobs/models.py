"""A durable processing job: one per video and step, in the `jobs` collection."""

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from vidvault.auth.models import utc_now


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # The video was deleted while a worker held the job: that worker (or, if it
    # died, whoever claims the job after its lease) removes the partial outputs
    # and then the job itself.
    CANCELLED = "cancelled"


class Job(Document):
    video_id: PydanticObjectId
    step: str
    state: JobState = JobState.QUEUED
    attempts: int = 0  # claims so far, the current one included
    run_after: datetime = Field(default_factory=utc_now)  # backoff after a failure
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    progress: float = 0.0  # 0..1 within this step
    error: str | None = None
    # Stored files the running attempt has begun writing and not yet handed to
    # the video: removed if the attempt dies, is cancelled or fails.
    partial_files: list[PydanticObjectId] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    class Settings:
        name = "jobs"
        indexes = [
            IndexModel(
                [("video_id", ASCENDING), ("step", ASCENDING)], unique=True, name="one_per_step"
            ),
            IndexModel([("state", ASCENDING), ("run_after", ASCENDING)], name="claimable_queued"),
            IndexModel(
                [("state", ASCENDING), ("lease_expires_at", ASCENDING)], name="claimable_expired"
            ),
        ]
