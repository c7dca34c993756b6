"""The worker process (`vidvault-worker`, `make worker`): claims jobs and runs them.

Stateless: any number of workers share the `jobs` collection. Each runs up
to WORKER_CONCURRENCY attempts at once, at a lower CPU priority than the
API (os.nice, inherited by the child processes that decode and encode).
SIGTERM stops claiming, kills the children and hands the jobs back.
"""

import asyncio
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from contextlib import suppress
from pathlib import Path

from pymongo.errors import PyMongoError

from vidvault.core.allocator import keep_freed_buffers
from vidvault.core.config import Settings, get_settings
from vidvault.core.database import Database, open_database
from vidvault.jobs import service as jobs
from vidvault.jobs.models import Job
from vidvault.jobs.service import Lease
from vidvault.media import pipeline
from vidvault.media.attempt import Attempt, clean_up_cancelled
from vidvault.observability.logging import configure_logging
from vidvault.videos.models import Video

logger = logging.getLogger("vidvault.worker")

WORKER_MODELS: list[type] = [Video, Job]
HEALTHY_WITHIN_POLLS = 10  # the claim loop must have turned within this many poll intervals
# How often a worker looks for failures that a dead worker left half-recorded.
REPAIR_EVERY_SECONDS = 60.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def scratch_directory() -> Path:
    """This worker's scratch space; that of workers no longer running is removed.

    A worker killed with SIGKILL cannot remove its half-written copies: the
    next worker started on the machine does.
    """
    root = Path(tempfile.gettempdir()) / "vidvault-worker"
    root.mkdir(mode=0o700, exist_ok=True)
    for entry in root.iterdir():
        if entry.name.isdigit() and not _pid_alive(int(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(mode=0o700, exist_ok=True)
    return mine


class Worker:
    def __init__(self, settings: Settings, database: Database, scratch: Path):
        self.settings, self.database, self.scratch = settings, database, scratch
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.last_turn = time.monotonic()
        self._running: dict[asyncio.Task[None], tuple[Job, Lease]] = {}
        self._next_repair = 0.0  # at once on start: a restarted worker repairs what it left

    def _lease(self) -> Lease:
        return Lease(f"{self.name}:{uuid.uuid4().hex[:8]}", self.settings.job_lease_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        slots = asyncio.Semaphore(self.settings.worker_concurrency)
        try:
            while not stop.is_set():
                await slots.acquire()
                self.last_turn = time.monotonic()
                if not await self._start_next(slots):
                    slots.release()
                    with suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        finally:
            await self._hand_back_running()

    async def _start_next(self, slots: asyncio.Semaphore) -> bool:
        try:
            await self._clean_up_one_cancelled()
            await self._repair_unrecorded_failures()
            lease = self._lease()
            job = await jobs.claim(lease)
        except PyMongoError as error:
            logger.warning("cannot claim jobs, the database is unavailable (%s)", error)
            return False
        if job is None:
            return False
        task = asyncio.create_task(self._attempt(job, lease), name=f"job-{job.id}")
        self._running[task] = (job, lease)
        task.add_done_callback(lambda done: self._finished(done, slots))
        return True

    def _finished(self, task: asyncio.Task[None], slots: asyncio.Semaphore) -> None:
        self._running.pop(task, None)
        slots.release()

    async def _clean_up_one_cancelled(self) -> None:
        if job := await jobs.claim_abandoned_cancellation(self._lease()):
            await clean_up_cancelled(job, self.database.storage)

    async def _repair_unrecorded_failures(self) -> None:
        if time.monotonic() < self._next_repair:
            return
        self._next_repair = time.monotonic() + REPAIR_EVERY_SECONDS
        if marked := await pipeline.record_unrecorded_failures():
            logger.warning("marked %d video(s) failed whose failed job a dead worker left", marked)

    async def _attempt(self, job: Job, lease: Lease) -> None:
        logger.info(
            "job %s: %s of video %s, attempt %d", job.id, job.step, job.video_id, job.attempts
        )
        try:
            await Attempt(job, lease, self.settings, self.database.storage, self.scratch).run()
        except Exception:
            # The database went away mid-attempt: the lease runs out and the job is retried.
            logger.exception("job %s: attempt abandoned", job.id)

    async def _hand_back_running(self) -> None:
        running = dict(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for job, lease in running.values():
            with suppress(PyMongoError):
                await jobs.release(job, lease)

    def healthy(self) -> bool:
        """The claim loop turns, or every slot is busy with a job (whose lease proves it alive)."""
        if len(self._running) >= self.settings.worker_concurrency:
            return True
        stale_after = HEALTHY_WITHIN_POLLS * max(self.settings.worker_poll_seconds, 1.0)
        return time.monotonic() - self.last_turn < stale_after


async def _serve_health(worker: Worker, port: int) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(ConnectionError, TimeoutError):
            await asyncio.wait_for(reader.readline(), 5)
            status = "200 OK" if worker.healthy() else "503 Service Unavailable"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "0.0.0.0", port)  # noqa: S104  # probed from outside the pod


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    database = await open_database(settings, WORKER_MODELS)
    scratch = scratch_directory()
    worker = Worker(settings, database, scratch)
    health = (
        await _serve_health(worker, settings.worker_health_port)
        if settings.worker_health_port
        else None
    )
    logger.info(
        "worker %s: %d at a time, lease %.0f s",
        worker.name,
        settings.worker_concurrency,
        settings.job_lease_seconds,
    )
    try:
        await worker.run(stop)
    finally:
        if health is not None:
            health.close()
        await database.close()
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    keep_freed_buffers()
    settings = get_settings()
    configure_logging(settings)
    # Below the API on a shared machine; the media children inherit it.
    os.nice(settings.worker_nice)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
