"""Workers that die, and videos deleted while a worker is busy with them."""

import time
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import ObjectId

from tests.conftest import Account, Db, stored_counts, upload
from tests.faults.processes import CHUNK_SIZE, ServiceProcess, start_worker, wait_for
from tests.media import Clip, encode_clip
from tests.processing.conftest import wait_until_processed

# Long enough at 720p for a transcode to take a few seconds; no noise keeps it small.
LONG_AVI = Clip("avi", "mpeg4", 45, 1280, 720, fps=10, noise=False)


@pytest.fixture
def settings_overrides(processing_db: str) -> dict[str, Any]:
    # Production-like chunks for a file of megabytes: the embedded server is slow with tiny ones.
    return {"mongodb_db": processing_db, "gridfs_chunk_size": CHUNK_SIZE}


@cache
def long_avi() -> bytes:
    return encode_clip(LONG_AVI)


@pytest.fixture
def workers(mongodb_url: str, processing_db: str) -> Any:
    started: list[ServiceProcess] = []

    def start() -> ServiceProcess:
        started.append(start_worker(mongodb_url, processing_db, worker_concurrency=1))
        return started[-1]

    yield start
    for process in started:
        process.stop()


async def _transcoding(db: Db) -> dict[str, Any] | None:
    job: dict[str, Any] | None = await db["jobs"].find_one(
        {"step": "transcode", "state": "running", "progress": {"$gt": 0}}
    )
    return job


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                children.append(int(entry.name))
    return children


async def _stored_file_ids(db: Db) -> tuple[set[ObjectId], set[ObjectId]]:
    files = {doc["_id"] async for doc in db["fs.files"].find({}, {"_id": True})}
    chunked = set(await db["fs.chunks"].distinct("files_id"))
    return files, chunked


async def test_a_killed_workers_job_is_finished_by_another_and_nothing_is_orphaned(
    client: httpx.AsyncClient, alice: Account, db: Db, workers: Any
) -> None:
    created = await upload(client, alice, long_avi(), "long.avi")
    assert created.status_code == 201, created.text
    first = workers()
    await wait_for(lambda: _transcoding(db), 120, "the transcode starting")
    children = _children_of(first.process.pid)
    first.kill()  # SIGKILL: no cleanup of any kind runs in the worker

    second = workers()
    video = await wait_until_processed(client, alice, created.json()["id"], second, within=180)

    assert video["status"] == "ready", second.log_text()
    job = await db["jobs"].find_one({"step": "transcode"})
    assert job is not None
    assert job["state"] == "succeeded"
    assert job["attempts"] == 2
    assert job["partial_files"] == []
    # The killed worker's child noticed and stopped too.
    await wait_for(
        lambda: _async(not any(Path(f"/proc/{pid}").exists() for pid in children)),
        10,
        "the killed worker's child exiting",
    )
    stored = await db["videos"].find_one({})
    assert stored is not None
    owned = {
        stored["file_id"],
        *(stored[name]["file_id"] for name in ("poster", "storyboard", "playback_copy")),
    }
    assert await _stored_file_ids(db) == (owned, owned)  # no orphan file, no orphan chunk


async def _async(value: bool) -> bool:
    return value


async def test_deleting_a_video_mid_transcode_stops_the_job_and_leaves_nothing(
    client: httpx.AsyncClient, alice: Account, db: Db, workers: Any
) -> None:
    created = await upload(client, alice, long_avi(), "long.avi")
    assert created.status_code == 201, created.text
    worker = workers()
    await wait_for(lambda: _transcoding(db), 120, "the transcode starting")
    assert _children_of(worker.process.pid), "a child process is transcoding"

    deleted = await client.delete(f"/api/v1/videos/{created.json()['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    started = time.monotonic()

    async def nothing_left() -> bool:
        jobs = await db["jobs"].count_documents({})
        return jobs == 0 and await stored_counts(db) == (0, 0, 0)

    await wait_for(nothing_left, 10, "the job stopping and its outputs going")
    assert time.monotonic() - started < 5
    await wait_for(
        lambda: _async(not _children_of(worker.process.pid)), 5, "the child being stopped"
    )
    assert worker.process.poll() is None  # the worker itself carries on
    assert "stopped: its video was deleted" in worker.log_text()


async def test_a_failure_a_dead_worker_half_recorded_is_finished_by_the_next_worker(
    client: httpx.AsyncClient, alice: Account, db: Db, workers: Any
) -> None:
    created = await upload(client, alice, long_avi(), "long.avi")
    assert created.status_code == 201, created.text
    video_id = ObjectId(created.json()["id"])
    # What a worker killed between its last two writes leaves: the job failed
    # for good (no attempt left), the video still `processing`.
    reason = "The video could not be read: the file ends early"
    failed = await db["jobs"].update_one(
        {"video_id": video_id}, {"$set": {"state": "failed", "error": reason}}
    )
    assert failed.modified_count == 1
    assert (await db["videos"].find_one({"_id": video_id}) or {})["status"] == "processing"

    worker = workers()
    video = await wait_until_processed(client, alice, str(video_id), worker, within=30)

    assert video["status"] == "failed"
    assert video["processing_error"] == reason
    assert "whose failed job a dead worker left" in worker.log_text()
