"""The upload's chunk writer: small batches, so that several inserts are pipelined."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gridfs import AsyncGridFSBucket
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import TEST_CHUNK_SIZE, Account, upload
from tests.vanishing_client import upload_then_vanish
from vidvault.storage import writer as storage_writer

Db = AsyncDatabase[dict[str, Any]]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two chunks per insert_many: a 40 KB video takes five pipelined batches.
    monkeypatch.setattr(storage_writer, "WRITE_BATCH_BYTES", 2 * TEST_CHUNK_SIZE)


async def test_a_multi_batch_upload_is_a_valid_gridfs_file(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    video = (await upload(client, alice, mp4_bytes)).json()
    assert (await client.get(video["stream_url"])).content == mp4_bytes
    stored = await db["fs.files"].find_one({})
    assert stored is not None
    assert stored["length"] == len(mp4_bytes)
    assert stored["chunkSize"] == TEST_CHUNK_SIZE
    assert stored["filename"] == "clip.mp4"
    assert stored["metadata"] == {"content_type": "video/mp4"}
    numbers = [c["n"] async for c in db["fs.chunks"].find({}, {"n": True}).sort("n", 1)]
    assert numbers == list(range(-(-len(mp4_bytes) // TEST_CHUNK_SIZE)))
    # The driver reads what the writer wrote, as any GridFS client would.
    grid_out = await AsyncGridFSBucket(db).open_download_stream(stored["_id"])
    assert await grid_out.read() == mp4_bytes


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
async def test_a_client_that_vanishes_mid_upload_leaves_nothing(
    app: FastAPI, alice: Account, db: Db, mp4_bytes: bytes, fraction: float
) -> None:
    stored_at_cut: list[int] = []

    async def count_stored_chunks() -> None:
        stored_at_cut.append(await db["fs.chunks"].count_documents({}))

    statuses = await upload_then_vanish(app, alice, mp4_bytes, fraction, count_stored_chunks)
    assert 201 not in statuses
    # Batches had reached the database when the client left: cleanup had work to do.
    assert stored_at_cut[0] > 0 or fraction < 0.3
    assert await db["fs.chunks"].count_documents({}) == 0
    assert await db["fs.files"].count_documents({}) == 0


async def test_an_upload_whose_chunks_were_swept_meanwhile_fails_and_leaves_nothing(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    # The sweeper removes chunks of an upload that paused past the grace period;
    # the upload must not then close into a file with a hole in it.
    async def body() -> Any:
        boundary_start = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
        )
        yield boundary_start + mp4_bytes[: len(mp4_bytes) // 2]
        for _ in range(1000):  # until the first batches have reached the database
            if await db["fs.chunks"].count_documents({}):
                break
        await db["fs.chunks"].delete_many({"n": 0})  # what a sweep would do
        yield mp4_bytes[len(mp4_bytes) // 2 :] + b"\r\n--b--\r\n"

    response = await client.post(
        "/api/v1/videos",
        headers=alice.headers | {"Content-Type": "multipart/form-data; boundary=b"},
        content=body(),
    )
    assert response.status_code == 503
    assert "send it again" in response.json()["detail"]
    for collection in ("fs.files", "fs.chunks", "videos"):
        assert await db[collection].count_documents({}) == 0
