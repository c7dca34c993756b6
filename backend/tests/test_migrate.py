"""`vidvault migrate`: a populated embedded database into a second, empty one.

Both sides are the persistent default engine, each its own process. The copy
is interrupted halfway (the target holds exactly what an interrupted ordered
copy leaves) and resumed; then the app runs on the target alone.
"""

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from tests.conftest import Account, log_in, make_settings, running, sign_up, upload
from tests.embedded_db import start_embedded_mongo
from tests.media import encode_video
from vidvault.main import create_app
from vidvault.migrate.command import migrate

pytestmark = pytest.mark.skipif(
    os.environ.get("MONGODB_URL") is not None,
    reason="starts two embedded databases of its own",
)

DB = "vidvault"


@asynccontextmanager
async def api(url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(url, mongodb_db=DB))
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def populate(url: str) -> tuple[Account, dict[str, bytes]]:
    videos = {
        "clip.mp4": encode_video("mp4", seconds=2, size=128),
        "clip.webm": encode_video("webm", seconds=1, size=96),
    }
    async with api(url) as client:
        account = await sign_up(client, "mover@example.com")
        await sign_up(client, "bystander@example.com")
        stored = {}
        for filename, content in videos.items():
            response = await upload(client, account, content, filename)
            assert response.status_code == 201, response.text
            stored[response.json()["id"]] = content
    return account, stored


async def interrupt_halfway(source_url: str, target_url: str) -> None:
    """What an ordered copy killed in the middle of fs.chunks leaves behind."""
    source: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(source_url)
    target: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(target_url)
    try:
        chunks = [doc async for doc in source[DB]["fs.chunks"].find({}, sort=[("_id", 1)])]
        await target[DB]["fs.chunks"].create_index([("files_id", 1), ("n", 1)], unique=True)
        await target[DB]["fs.chunks"].insert_many(chunks[: len(chunks) // 2])
    finally:
        await source.close()
        await target.close()


async def counts(url: str) -> dict[str, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        db = client[DB]
        return {
            name: await db[name].count_documents({}) for name in await db.list_collection_names()
        }
    finally:
        await client.close()


async def test_migrate_a_populated_embedded_database_into_an_empty_one(tmp_path: Path) -> None:
    source = start_embedded_mongo(engine="sqlite", path=tmp_path / "source.sqlite3")
    target = start_embedded_mongo(engine="sqlite", path=tmp_path / "target.sqlite3")
    try:
        account, videos = await populate(source.url)
        await interrupt_halfway(source.url, target.url)
        await migrate_and_verify(source.url, target.url, len(videos))
        source.stop()  # from here on, only the target exists
        await target_serves(target.url, account, videos)
    finally:
        source.stop()
        target.stop()


async def migrate_and_verify(source_url: str, target_url: str, files: int) -> None:
    report = io.StringIO()
    assert await migrate(source_url, target_url, DB, report), report.getvalue()
    text = report.getvalue()
    assert "fs.chunks" in text and "resumed at _id" in text
    assert text.count(" ok") >= files + 4  # every file and collection checked
    assert await counts(target_url) == await counts(source_url)
    rerun = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "vidvault.cli", "migrate", "--from", source_url, "--to", target_url],
        env={**os.environ, "MONGODB_DB": DB},
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "migration verified" in rerun.stdout
    assert await counts(target_url) == await counts(source_url)  # a rerun duplicates nothing


async def target_serves(url: str, account: Account, videos: dict[str, bytes]) -> None:
    async with api(url) as client:
        moved = await log_in(client, account.email)
        listed = await client.get("/api/v1/videos", headers=moved.headers)
        assert {video["id"] for video in listed.json()["items"]} == set(videos)
        for video_id, content in videos.items():
            described = await client.get(f"/api/v1/videos/{video_id}", headers=moved.headers)
            streamed = await client.get(described.json()["stream_url"])
            assert streamed.status_code == 200
            assert streamed.content == content


async def test_migrate_refuses_a_database_onto_itself(tmp_path: Path) -> None:
    server = start_embedded_mongo(engine="sqlite", path=tmp_path / "db.sqlite3")
    try:
        report = io.StringIO()
        assert not await migrate(server.url, server.url, DB, report)
        assert "the same database" in report.getvalue()
    finally:
        server.stop()
