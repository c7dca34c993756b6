"""Nothing half-written: vanished clients and a killed API process, over real sockets.

Every case runs a real `uvicorn` process against the test database and looks
at what is left in it from the outside.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from math import ceil
from typing import Any

import httpx
import pytest

from tests.conftest import Db, stored_counts
from tests.faults.processes import (
    CHUNK_SIZE,
    ApiProcess,
    RawUpload,
    access_token,
    direct_db,
    multipart_body,
    read_response,
    start_api,
    unique_db_name,
    upload_head,
    wait_for,
)

# 20 MB: larger than the upload path's write batch, so chunks reach the
# database while the body is still arriving.
PADDING = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def db_name() -> str:
    return unique_db_name()


@pytest.fixture(scope="module")
def api(mongodb_url: str, db_name: str) -> Iterator[ApiProcess]:
    process = start_api(mongodb_url, db_name, db_timeout_ms=10_000)
    yield process
    process.stop()


@pytest.fixture
async def db(mongodb_url: str, db_name: str) -> AsyncIterator[Db]:
    client, database = await direct_db(mongodb_url, db_name)
    yield database
    await client.close()


@pytest.fixture(scope="module")
def large_video(mp4_bytes: bytes) -> bytes:
    # Only the first bytes are sniffed: a real header and random bytes after it.
    return mp4_bytes + os.urandom(PADDING)


async def _chunks_written(db: Db) -> bool:
    return await db["fs.chunks"].count_documents({}) > 0


async def _nothing_stored(db: Db) -> bool:
    return await stored_counts(db) == (0, 0, 0)


async def assert_every_video_has_its_whole_file(db: Db) -> None:
    async for video in db["videos"].find({}):
        stored = await db["fs.files"].find_one({"_id": video["file_id"]})
        assert stored is not None, f"video {video['_id']} points at a missing file"
        chunks = await db["fs.chunks"].count_documents({"files_id": video["file_id"]})
        assert chunks == ceil(stored["length"] / stored["chunkSize"])


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
async def test_a_client_vanishing_mid_upload_leaves_nothing(
    api: ApiProcess, db: Db, large_video: bytes, fraction: float
) -> None:
    token = await access_token(api)
    upload = RawUpload(api, token, multipart_body(large_video))
    received_before = await upload_bytes_received(api)
    await upload.open()
    await upload.send_until(fraction)

    # The server really is mid-upload: it has read the body up to the cut.
    async def read_to_the_cut() -> bool:
        return await upload_bytes_received(api) - received_before >= upload.sent

    await wait_for(read_to_the_cut, 30, "the server reading up to the cut")
    chunks_at_cut = await db["fs.chunks"].count_documents({})
    upload.vanish()
    elapsed = await wait_for(lambda: _nothing_stored(db), 10, "cleanup after the client left")
    print(
        f"client vanished at {fraction:.0%} ({upload.sent} bytes, {chunks_at_cut} chunks stored):"
        f" nothing left after {elapsed:.2f} s"
    )
    assert api.process.poll() is None  # the server itself is fine


async def test_a_complete_upload_over_the_same_socket_path_is_stored(
    api: ApiProcess, db: Db, large_video: bytes
) -> None:
    # The control case: the same raw client, finishing, does store the video.
    token = await access_token(api)
    upload = RawUpload(api, token, multipart_body(large_video))
    await upload.open()
    status, _ = await upload.finish()
    assert status == 201
    assert await stored_counts(db) == (1, ceil(len(large_video) / CHUNK_SIZE), 1)
    await assert_every_video_has_its_whole_file(db)
    await db["videos"].delete_many({})
    await db["fs.files"].delete_many({})
    await db["fs.chunks"].delete_many({})


async def test_a_killed_api_process_leaves_chunks_that_the_sweeper_removes(
    mongodb_url: str, large_video: bytes, mp4_bytes: bytes
) -> None:
    name = unique_db_name()
    client, db = await direct_db(mongodb_url, name)
    doomed = start_api(mongodb_url, name, db_timeout_ms=10_000)
    survivor: ApiProcess | None = None
    try:
        token = await access_token(doomed, "ann@example.com")
        crashed = RawUpload(doomed, token, multipart_body(large_video))
        await crashed.open()
        await _send_until_chunks_are_stored(crashed, db)
        doomed.kill()
        crashed.vanish()
        # What a crash leaves: chunks with no file document, and no video.
        files, chunks, videos = await stored_counts(db)
        assert (files, videos) == (0, 0)
        assert chunks > 0
        print(f"SIGKILL mid-upload left {chunks} orphan chunks")
        crashed_file = (await db["fs.chunks"].find_one({}))["files_id"]  # type: ignore[index]

        grace = 5
        survivor = start_api(
            mongodb_url,
            name,
            orphan_grace_seconds=grace,
            sweep_interval_seconds=0.5,
            db_timeout_ms=10_000,
        )
        elapsed = await wait_for(
            lambda: _no_chunks_of(db, crashed_file), grace + 10, "the sweeper removing the crash"
        )
        print(f"sweeper removed the crashed upload {elapsed:.2f} s after the new process started")
        # An upload in progress on the new process while the sweeper keeps running:
        # its chunks have no file document yet, exactly like the crashed ones.
        live = RawUpload(survivor, token, multipart_body(large_video, "live.mp4"))
        await live.open()
        await _send_until_chunks_are_stored(live, db)
        live_chunks = await db["fs.chunks"].count_documents({})
        await asyncio.sleep(1.5)  # three sweeps
        assert await db["fs.chunks"].count_documents({}) >= live_chunks, survivor.log_text()
        status, body = await live.finish()
        assert status == 201, body
        await assert_every_video_has_its_whole_file(db)
        assert await stored_counts(db) == (1, ceil(len(large_video) / CHUNK_SIZE), 1)
        async with httpx.AsyncClient(base_url=survivor.url) as http:
            video = (await http.get("/api/v1/videos", headers=_bearer(token))).json()["items"][0]
            streamed = await http.get(video["stream_url"])
        assert streamed.content == large_video
    finally:
        doomed.stop()
        if survivor is not None:
            survivor.stop()
        await client.drop_database(name)
        await client.close()


async def _send_until_chunks_are_stored(upload: RawUpload, db: Db) -> None:
    """Send the body a megabyte at a time until the server has stored chunks of it."""
    for step in range(1, 20):
        await upload.send_until(step / 20)
        try:
            await wait_for(lambda: _chunks_written(db), 1, "chunks stored")
        except AssertionError:
            continue
        return
    raise AssertionError("no chunk reached the database before the end of the body")


async def upload_bytes_received(api: ApiProcess) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(api.metrics_url)).text
    for line in text.splitlines():
        if line.startswith("vidvault_upload_received_bytes_total"):
            return float(line.split()[-1])
    return 0.0


async def _no_chunks_of(db: Db, files_id: Any) -> bool:
    return await db["fs.chunks"].count_documents({"files_id": files_id}) == 0


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_content_length_shorter_than_the_body_is_422_and_stores_nothing(
    api: ApiProcess, db: Db, mp4_bytes: bytes
) -> None:
    token = await access_token(api)
    body = multipart_body(mp4_bytes + os.urandom(256 * 1024))
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(upload_head(api, token, len(body) // 2) + body)
    await writer.drain()
    status, answer = await read_response(reader, writer)
    # The server reads exactly Content-Length bytes: a form without its end.
    assert status == 422, answer
    assert b"closing boundary" in answer
    await wait_for(lambda: _nothing_stored(db), 10, "nothing stored")


async def test_a_content_length_longer_than_the_body_stores_nothing(
    api: ApiProcess, db: Db, mp4_bytes: bytes
) -> None:
    token = await access_token(api)
    body = multipart_body(mp4_bytes + os.urandom(256 * 1024))
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(upload_head(api, token, len(body) * 2) + body)
    await writer.drain()
    writer.write_eof()  # the client has nothing more, whatever it announced
    status, _ = await read_response(reader, writer)
    assert status != 201
    await wait_for(lambda: _nothing_stored(db), 10, "nothing stored")
    assert api.process.poll() is None
