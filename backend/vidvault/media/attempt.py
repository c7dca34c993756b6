"""One attempt at one job: run the step's child process, keep the lease, commit or give back.

While the child works, a heartbeat renews the lease and records progress.
A renewal that finds the job no longer ours (the video was deleted, or the
lease ran out and another worker took over) stops the attempt: the child is
killed and whatever the attempt stored is removed. The whole attempt runs
under the job's wall-clock limit.
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from pymongo.errors import PyMongoError

from vidvault.core.config import Settings
from vidvault.jobs import service as jobs
from vidvault.jobs.models import Job, JobState
from vidvault.jobs.service import Lease
from vidvault.media import pipeline
from vidvault.media.pipeline import JobLost
from vidvault.media.steps import Step
from vidvault.media.task import (
    DATABASE_NAME_VARIABLE,
    DATABASE_URL_VARIABLE,
    StepMessage,
    StepTask,
)
from vidvault.storage import FileStorage
from vidvault.videos.models import Video

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1024 * 1024  # one line from the child


class StepCrashed(Exception):
    """The child died without an answer: perhaps the file, perhaps the machine. Retried."""


class StepRejected(Exception):
    """The file cannot be processed: not retried."""


def heartbeat_interval(lease_seconds: float) -> float:
    # Three renewals per lease, and often enough that a deleted video's job
    # stops within a couple of seconds.
    return min(lease_seconds / 3, 2.0)


def _crash_reason(returncode: int) -> str:
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"The media tools stopped unexpectedly ({name}) while reading this file"
    return f"The media tools stopped unexpectedly (exit status {returncode})"


class Attempt:
    def __init__(
        self, job: Job, lease: Lease, settings: Settings, storage: FileStorage, scratch: Path
    ):
        self.job, self.lease, self.settings, self.storage = job, lease, settings, storage
        self.scratch = scratch
        self.step = Step(job.step)
        self.progress = 0.0
        self._reported = -1

    async def run(self) -> None:
        try:
            async with asyncio.timeout(self.settings.job_time_limit_seconds):
                await self._run_with_heartbeat()
        except* JobLost:
            await self._after_loss()
        except* StepRejected as group:
            await self._finish_failed(str(group.exceptions[0]), retry=False)
        except* StepCrashed as group:
            await self._finish_failed(str(group.exceptions[0]), retry=True)
        except* TimeoutError:
            limit = self.settings.job_time_limit_seconds
            await self._finish_failed(
                f"Processing took longer than the limit of {limit:.0f} s", retry=False
            )
        except* PyMongoError:
            raise  # nothing can be recorded now: the lease runs out and the job is retried
        except* Exception:
            logger.exception("job %s (%s): internal error", self.job.id, self.step)
            await self._finish_failed("An internal error interrupted processing", retry=True)

    async def _run_with_heartbeat(self) -> None:
        async with asyncio.TaskGroup() as group:
            beat = group.create_task(self._heartbeat())
            try:
                await self._work()
            finally:
                beat.cancel()

    async def _heartbeat(self) -> None:
        interval = heartbeat_interval(self.lease.seconds)
        while True:
            await asyncio.sleep(interval)
            if not await jobs.renew(self.job, self.lease, self.progress):
                raise JobLost
            percent = pipeline.video_progress(self.step, self.progress)
            if percent != self._reported:
                self._reported = percent
                await pipeline.record_progress(self.job, self.step, self.progress)

    async def _work(self) -> None:
        video = await Video.get(self.job.video_id)
        if video is None:
            raise JobLost
        if self.job.partial_files:  # an earlier attempt died while storing these
            await self.storage.delete_many(list(self.job.partial_files))
        if self.job.attempts > self.settings.job_max_attempts:
            raise StepRejected(self.job.error or "Processing failed too many times")
        with tempfile.TemporaryDirectory(prefix="job-", dir=self.scratch) as workdir:
            message = await self._run_child(self._task(video, Path(workdir)))
            await self._commit(message)

    def _task(self, video: Video, workdir: Path) -> StepTask:
        return StepTask(
            step=self.step,
            file_id=str(video.file_id),
            chunk_size=video.chunk_size,
            size=video.size,
            content_type=video.content_type,
            workdir=workdir,
            max_duration_seconds=self.settings.max_video_duration_seconds,
        )

    async def _run_child(self, task: StepTask) -> StepMessage:
        env = os.environ | {
            DATABASE_URL_VARIABLE: self.settings.mongodb_url,
            DATABASE_NAME_VARIABLE: self.settings.mongodb_db,
        }
        child = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "vidvault.media.child", task.model_dump_json()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=MAX_MESSAGE_BYTES,
        )
        try:
            return await self._answer_of(child)
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()

    async def _answer_of(self, child: asyncio.subprocess.Process) -> StepMessage:
        assert child.stdout is not None
        answer: StepMessage | None = None
        async for line in child.stdout:
            message = StepMessage.model_validate_json(line)
            if message.progress is not None:
                self.progress = message.progress
            else:
                answer = message
        returncode = await child.wait()
        if answer is None:
            raise StepCrashed(_crash_reason(returncode))
        if answer.rejected is not None:
            raise StepRejected(answer.rejected)
        if answer.bytes_read is not None:
            logger.info("job %s (%s) read %d bytes", self.job.id, self.step, answer.bytes_read)
        return answer

    async def _commit(self, message: StepMessage) -> None:
        if message.inspected is not None:
            kept = await pipeline.commit_inspection(
                self.job, self.lease, self.storage, message.inspected
            )
        else:
            assert message.transcoded is not None
            kept = await pipeline.commit_copy(
                self.job, self.lease, self.storage, message.transcoded
            )
        if not kept or not await jobs.succeed(self.job, self.lease):
            raise JobLost

    async def _after_loss(self) -> None:
        """Remove what this attempt stored; a cancelled job is then forgotten."""
        current = await Job.get(self.job.id) if self.job.id else None
        if current is None or current.lease_owner not in {self.lease.owner, None}:
            return  # taken over: the new holder cleans up after us
        if current.partial_files:
            await self.storage.delete_many(list(current.partial_files))
        if current.state is JobState.CANCELLED or await Video.get(self.job.video_id) is None:
            await jobs.forget(current)
        logger.info("job %s (%s) stopped: its video was deleted", self.job.id, self.step)

    async def _finish_failed(self, reason: str, *, retry: bool) -> None:
        retry = retry and self.job.attempts < self.settings.job_max_attempts
        state = await jobs.give_back(
            self.job,
            self.lease,
            reason,
            retry=retry,
            retry_base_seconds=self.settings.job_retry_base_seconds,
        )
        if state is JobState.FAILED:
            await pipeline.record_failure(self.job.video_id, reason)
        logger.warning(
            "job %s (%s) attempt %d: %s", self.job.id, self.step, self.job.attempts, reason
        )


async def clean_up_cancelled(job: Job, storage: FileStorage) -> None:
    """A cancelled job whose worker died: remove its partial outputs, then the job."""
    with contextlib.suppress(PyMongoError):
        if job.partial_files:
            await storage.delete_many(list(job.partial_files))
        await jobs.forget(job)
