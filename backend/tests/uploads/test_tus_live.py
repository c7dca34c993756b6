"""Resumable uploads with the real tuspy client against live API processes, over real sockets."""

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.storage.filestorage import FileStorage as UrlStorage
from tusclient.uploader.uploader import Uploader

from tests.conftest import Db, stored_counts
from tests.faults.processes import (
    ApiProcess,
    access_token,
    direct_db,
    start_api,
    unique_db_name,
    wait_for,
)
from tests.media import encode_video, padded_mp4
from tests.uploads.cutting_proxy import CuttingProxy

MiB = 1024 * 1024
PATCH_BYTES = MiB - 1000  # not a multiple of the API's 256 KiB chunks: partial chunks carry over
UPLOADS = "/api/v1/uploads"


@pytest.fixture(scope="module")
def db_name() -> str:
    return unique_db_name()


def _stopped_after(process: ApiProcess) -> Iterator[ApiProcess]:
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def api(mongodb_url: str, db_name: str) -> Iterator[ApiProcess]:
    yield from _stopped_after(start_api(mongodb_url, db_name))


@pytest.fixture(scope="module")
def second_api(mongodb_url: str, db_name: str) -> Iterator[ApiProcess]:
    """Another replica on the same database."""
    yield from _stopped_after(start_api(mongodb_url, db_name))


@pytest.fixture(scope="module")
def strict_api(mongodb_url: str, db_name: str) -> Iterator[ApiProcess]:
    """A replica with a 2 MiB limit whose uploads expire after 2 s, swept every 0.3 s."""
    yield from _stopped_after(
        start_api(
            mongodb_url,
            db_name,
            max_upload_bytes=2 * MiB,
            upload_expiry_seconds=2,
            sweep_interval_seconds=0.3,
        )
    )


@pytest.fixture
async def db(mongodb_url: str, db_name: str) -> AsyncIterator[Db]:
    client, database = await direct_db(mongodb_url, db_name)
    try:
        yield database
    finally:
        for name in ("fs.files", "fs.chunks", "videos", "uploads"):
            await database[name].delete_many({})
        await client.close()


@pytest.fixture(scope="module")
def video_file() -> bytes:
    return padded_mp4(encode_video("mp4", seconds=1, size=64), 3 * MiB + 12345)


def _client(base: str, token: str) -> TusClient:
    return TusClient(f"{base}{UPLOADS}", headers={"Authorization": f"Bearer {token}"})


class _Reopenable(io.BytesIO):
    """The file's bytes for tuspy, which closes a stream it then reads again."""

    def close(self) -> None:
        pass


async def _uploader(client: TusClient, content: bytes, **options: Any) -> Uploader:
    # The constructor asks the server for the offset when it resumes: a blocking request.
    options = {"chunk_size": PATCH_BYTES, "metadata": {"filename": "holiday.mp4"}} | options
    stream = _Reopenable(content)  # a file would do, but tuspy leaves the files it opens open
    return await asyncio.to_thread(client.uploader, file_stream=stream, **options)


def _url(uploader: Uploader) -> str:
    url: str | None = uploader.url
    assert url is not None
    return url


async def _streamed(api: ApiProcess, token: str, upload_url: str) -> bytes:
    video_id = upload_url.rsplit("/", 1)[1]
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        video = await http.get(f"/api/v1/videos/{video_id}", headers=auth)
        assert video.status_code == 200, video.text
        return (await http.get(video.json()["stream_url"])).content


async def test_an_upload_cut_mid_patch_resumes_from_the_stored_url_byte_identical(
    api: ApiProcess, db: Db, video_file: bytes, tmp_path: Path
) -> None:
    token = await access_token(api)
    urls = UrlStorage(str(tmp_path / "urls.json"))  # type: ignore[no-untyped-call]
    try:
        await _cut_then_resume(api, db, video_file, token, urls)
    finally:
        urls._db.close()


async def _cut_then_resume(
    api: ApiProcess, db: Db, video_file: bytes, token: str, urls: UrlStorage
) -> None:
    cut_at = PATCH_BYTES + PATCH_BYTES // 2  # in the middle of the second PATCH
    async with CuttingProxy(api.port, cut_after=cut_at) as proxy:
        proxied = f"http://127.0.0.1:{proxy.port}"
        first = await _uploader(
            _client(proxied, token),
            video_file,
            store_url=True,
            url_storage=urls,
        )
        with pytest.raises(TusCommunicationError):
            await asyncio.to_thread(first.upload)
        assert proxy.cut
        # A new client, as after a restart: it finds the URL by the file's fingerprint.
        second = await _uploader(
            _client(proxied, token),
            video_file,
            store_url=True,
            url_storage=urls,
        )
    assert second.url == first.url
    # What arrived of the cut PATCH was kept: at most its headers are sent again.
    assert PATCH_BYTES < second.offset <= cut_at
    assert second.offset > cut_at - 64 * 1024
    resumed = await _uploader(
        _client(api.url, token), video_file, url=_url(first).replace(proxied, api.url)
    )
    await asyncio.to_thread(resumed.upload)
    assert await _streamed(api, token, _url(first)) == video_file
    assert await db["uploads"].count_documents({}) == 0


async def test_a_wrong_offset_is_409_and_another_users_upload_is_404(
    api: ApiProcess, db: Db, video_file: bytes
) -> None:
    alice, bob = await access_token(api), await access_token(api)
    uploader = await _uploader(_client(api.url, alice), video_file)
    await asyncio.to_thread(uploader.upload, stop_at=PATCH_BYTES)
    uploader.offset = PATCH_BYTES // 2
    with pytest.raises(TusCommunicationError) as conflict:
        await asyncio.to_thread(uploader.upload_chunk)
    assert conflict.value.status_code == 409
    with pytest.raises(TusCommunicationError) as not_found:
        await _uploader(_client(api.url, bob), video_file, url=uploader.url)
    assert not_found.value.status_code == 404
    # Alice's upload is untouched, and finishes.
    resumed = await _uploader(_client(api.url, alice), video_file, url=uploader.url)
    assert resumed.offset == PATCH_BYTES
    await asyncio.to_thread(resumed.upload)
    assert await _streamed(api, alice, _url(uploader)) == video_file


async def test_a_file_that_is_not_a_video_is_415_with_nothing_stored(
    api: ApiProcess, db: Db, tmp_path: Path
) -> None:
    token = await access_token(api)
    text = b"Not a video at all.\n" * 100_000
    uploader = await _uploader(_client(api.url, token), text)
    with pytest.raises(TusCommunicationError) as refused:
        await asyncio.to_thread(uploader.upload)
    assert refused.value.status_code == 415
    assert await stored_counts(db) == (0, 0, 0)
    assert await db["uploads"].count_documents({}) == 0


class TestLimitsAndExpiry:
    async def test_an_oversized_upload_length_is_413(
        self, strict_api: ApiProcess, db: Db, video_file: bytes
    ) -> None:
        token = await access_token(strict_api)
        uploader = await _uploader(_client(strict_api.url, token), video_file)
        with pytest.raises(TusCommunicationError) as refused:
            await asyncio.to_thread(uploader.upload)
        assert refused.value.status_code == 413
        assert await db["uploads"].count_documents({}) == 0

    async def test_an_expired_upload_is_swept_with_its_chunks(
        self, strict_api: ApiProcess, db: Db, tmp_path: Path
    ) -> None:
        token = await access_token(strict_api)
        small = padded_mp4(encode_video("mp4", seconds=0.5, size=32), MiB + 5)
        uploader = await _uploader(_client(strict_api.url, token), small, chunk_size=MiB // 2)
        await asyncio.to_thread(uploader.upload, stop_at=MiB // 2)
        assert await db["fs.chunks"].count_documents({}) > 0

        async def swept() -> bool:
            return await stored_counts(db) == (0, 0, 0) and not await db["uploads"].count_documents(
                {}
            )

        await wait_for(swept, 15, "the expired upload swept")
        with pytest.raises(TusCommunicationError) as gone:
            await _uploader(_client(strict_api.url, token), small, url=uploader.url)
        assert gone.value.status_code == 404


async def test_patches_alternating_between_two_replicas_make_one_identical_file(
    api: ApiProcess, second_api: ApiProcess, db: Db, video_file: bytes
) -> None:
    token = await access_token(api)
    uploader = await _uploader(_client(api.url, token), video_file)
    await asyncio.to_thread(uploader.upload, stop_at=1)  # creates it, sends one PATCH
    path = _url(uploader).split(str(api.port), 1)[1]
    replicas = [second_api, api]
    patches = 0
    uploader.stop_at = len(video_file)
    while uploader.offset < uploader.stop_at:
        uploader.set_url(f"{replicas[patches % 2].url}{path}")
        await asyncio.to_thread(uploader.upload_chunk)
        patches += 1
    assert patches >= 3
    assert await _streamed(second_api, token, _url(uploader)) == video_file
