"""Videos stored by the version before processing get a status and their jobs at start-up."""

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import Account, Db, running, upload
from tests.faults.processes import ServiceProcess, start_worker
from tests.processing.clips import CASES, clip_bytes
from tests.processing.conftest import video_of, wait_until_processed
from vidvault.core.config import Settings
from vidvault.core.database import prepare_database
from vidvault.main import DOCUMENT_MODELS, create_app

PROCESSING_FIELDS = [
    "status",
    "processing_error",
    "progress",
    "container",
    "video_codec",
    "audio_codec",
    "duration_seconds",
    "width",
    "height",
    "frame_rate",
    "bit_rate",
    "plays_in_browsers",
    "poster",
    "storyboard",
    "playback_copy",
]


async def _as_stored_by_the_previous_version(db: Db) -> None:
    await db["videos"].update_many({}, {"$unset": dict.fromkeys(PROCESSING_FIELDS, "")})
    await db["jobs"].drop()


async def test_old_videos_get_a_status_and_a_job_at_start_up_once(
    client: httpx.AsyncClient,
    alice: Account,
    app: FastAPI,
    db: Db,
    settings: Settings,
    mongodb_url: str,
) -> None:
    case = CASES[0]
    created = await upload(client, alice, clip_bytes(case.clip), case.filename)
    assert created.status_code == 201
    await _as_stored_by_the_previous_version(db)
    old = await db["videos"].find_one({})
    assert old is not None
    assert "status" not in old

    for _ in range(2):  # a second start changes nothing
        async with running(create_app(settings)):
            pass
    # Beanie binds the models to the last app started: back to this test's app.
    await prepare_database(app.state.database, DOCUMENT_MODELS)
    stored = await db["videos"].find_one({})
    assert stored is not None
    assert stored["status"] == "processing"
    jobs = await db["jobs"].find({}).to_list()
    assert [(job["video_id"], job["step"], job["state"]) for job in jobs] == [
        (stored["_id"], "inspect", "queued")
    ]
    assert (await video_of(client, alice, created.json()["id"]))["status"] == "processing"

    worker: ServiceProcess = start_worker(mongodb_url, settings.mongodb_db)
    try:
        video = await wait_until_processed(client, alice, created.json()["id"], worker)
    finally:
        worker.stop()
    assert video["status"] == "ready"
    assert video["duration_seconds"] == pytest.approx(case.clip.seconds, abs=0.1)
    assert video["poster_url"] is not None
