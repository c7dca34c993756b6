"""The sweeper removes what no video will ever point at, and nothing else."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import make_settings, running
from vidvault.core.database import Database
from vidvault.main import create_app
from vidvault.storage import FileStorage, orphans
from vidvault.videos.sweeper import SweepReport, sweep

Db = AsyncDatabase[dict[str, Any]]
GRACE = timedelta(hours=1)
NOW = datetime.now(UTC)
OLD = NOW - 2 * GRACE
RECENT = NOW - GRACE / 4


def _id_at(moment: datetime) -> ObjectId:
    # from_datetime leaves the random part zero: add one so ids stay unique.
    return ObjectId(ObjectId.from_datetime(moment).binary[:8] + ObjectId().binary[8:])


async def _chunks(
    db: Db, files_id: ObjectId, count: int = 3, written: datetime | None = None
) -> None:
    """Chunks of one file, the last written at `written` (by default when the file began)."""
    last = written or files_id.generation_time
    await db["fs.chunks"].insert_many(
        [
            {"_id": _id_at(last - timedelta(seconds=count - n)), "files_id": files_id, "n": n}
            | {"data": b"x" * 16}
            for n in range(count)
        ]
    )


async def _file(db: Db, began: datetime, closed: datetime, *, with_video: bool) -> ObjectId:
    file_id = _id_at(began)
    await _chunks(db, file_id, written=closed)
    await db["fs.files"].insert_one(
        {"_id": file_id, "length": 48, "chunkSize": 16, "uploadDate": closed, "filename": "a.mp4"}
    )
    if with_video:
        await db["videos"].insert_one({"owner_id": ObjectId(), "file_id": file_id, "title": "t"})
    return file_id


async def _chunk_owners(db: Db) -> set[ObjectId]:
    return set(await db["fs.chunks"].distinct("files_id"))


async def test_only_old_orphans_are_removed(db: Db, storage: FileStorage) -> None:
    crashed_upload = _id_at(OLD)
    await _chunks(db, crashed_upload)
    in_progress = _id_at(RECENT)
    await _chunks(db, in_progress)
    # A slow upload: begun long ago, still writing.
    slow_upload = _id_at(OLD)
    await _chunks(db, slow_upload, written=RECENT)
    kept_video = await _file(db, OLD, OLD, with_video=True)
    no_video = await _file(db, OLD, OLD, with_video=False)
    # A long upload: begun long ago, closed just now, its video about to be inserted.
    just_closed = await _file(db, OLD, RECENT, with_video=False)

    report = await sweep(storage, GRACE, NOW)

    assert report == SweepReport(orphan_files=1, orphan_chunk_groups=1)
    assert await _chunk_owners(db) == {in_progress, slow_upload, kept_video, just_closed}
    assert set(await db["fs.files"].distinct("_id")) == {kept_video, just_closed}
    assert await db["fs.chunks"].count_documents({"files_id": kept_video}) == 3
    assert no_video not in await _chunk_owners(db)
    assert crashed_upload not in await _chunk_owners(db)
    assert await sweep(storage, GRACE, NOW) == SweepReport(0, 0)


async def test_the_grace_period_protects_what_is_younger(db: Db, storage: FileStorage) -> None:
    young = _id_at(NOW - GRACE + timedelta(minutes=1))
    await _chunks(db, young)
    await _file(db, NOW - GRACE + timedelta(minutes=1), RECENT, with_video=False)
    assert await sweep(storage, GRACE, NOW) == SweepReport(0, 0)
    assert await db["fs.chunks"].count_documents({}) == 6
    # The same data, once the grace period is over, goes.
    later = NOW + timedelta(hours=2)
    assert await sweep(storage, GRACE, later) == SweepReport(orphan_files=1, orphan_chunk_groups=1)
    assert await db["fs.chunks"].count_documents({}) == 0


async def test_orphans_beyond_one_batch_are_all_removed(
    db: Db, storage: FileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orphans, "BATCH", 2)
    for _ in range(5):
        await _chunks(db, _id_at(OLD), count=2)
        await _file(db, OLD, OLD, with_video=False)
    kept = await _file(db, OLD, OLD, with_video=True)
    assert await sweep(storage, GRACE, NOW) == SweepReport(orphan_files=5, orphan_chunk_groups=5)
    assert await _chunk_owners(db) == {kept}


async def test_every_api_process_sweeps_at_start_up_and_periodically(mongodb_url: str) -> None:
    settings = make_settings(mongodb_url, orphan_grace_seconds=1, sweep_interval_seconds=0.2)
    app = create_app(settings)
    async with running(app):
        database: Database = app.state.database
        db = database.db
        try:
            for _ in range(2):  # at start-up, then again later
                crashed = _id_at(datetime.now(UTC) - timedelta(seconds=5))
                await _chunks(db, crashed)
                await _wait_until_empty(db)
        finally:
            await database.client.drop_database(settings.mongodb_db)


async def _wait_until_empty(db: Db) -> None:
    for _ in range(50):
        if await db["fs.chunks"].count_documents({}) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the sweeper did not remove the orphan chunks within 5 s")
