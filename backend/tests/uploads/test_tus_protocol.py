"""tus 1.0 at /api/v1/uploads, in process: the protocol's answers, and what is stored."""

import asyncio
import base64
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId

from tests.conftest import TEST_CHUNK_SIZE, Account, Db, stored_counts
from vidvault.storage import FileStorage
from vidvault.uploads import resumable
from vidvault.videos.sweeper import sweep

UPLOADS = "/api/v1/uploads"
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


async def create(
    client: httpx.AsyncClient, account: Account, length: int, **values: str
) -> httpx.Response:
    headers = account.headers | TUS | {"Upload-Length": str(length)}
    if values:
        headers["Upload-Metadata"] = metadata(**values)
    return await client.post(UPLOADS, headers=headers)


async def patch(
    client: httpx.AsyncClient, account: Account, url: str, offset: int, data: bytes
) -> httpx.Response:
    headers = account.headers | TUS | OCTETS | {"Upload-Offset": str(offset)}
    return await client.patch(url, headers=headers, content=data)


async def offset_of(client: httpx.AsyncClient, account: Account, url: str) -> int:
    response = await client.head(url, headers=account.headers | TUS)
    assert response.status_code == 200, response.text
    return int(response.headers["upload-offset"])


async def test_options_advertise_the_protocol(client: httpx.AsyncClient) -> None:
    response = await client.options(UPLOADS)
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert response.headers["tus-resumable"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
    }
    assert int(response.headers["tus-max-size"]) == 2 * 1024**3


@pytest.mark.parametrize(
    "cuts",
    [[3 * TEST_CHUNK_SIZE], [10, 100, TEST_CHUNK_SIZE + 7, 5 * TEST_CHUNK_SIZE - 1]],
    ids=["chunk-boundary", "inside-chunks"],
)
async def test_pieces_at_any_offset_become_the_video_with_the_upload_id(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes, cuts: list[int]
) -> None:
    created = await create(client, alice, len(mp4_bytes), filename="Beach day.mp4", title="Beach")
    assert created.status_code == 201, created.text
    assert created.headers["tus-resumable"] == "1.0.0"
    url = created.headers["location"]
    upload_id = url.rsplit("/", 1)[1]
    expires = datetime.strptime(created.headers["upload-expires"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(expires.replace(tzinfo=UTC) - datetime.now(UTC) - timedelta(hours=24)) < timedelta(
        minutes=1
    )
    bounds = [0, *cuts, len(mp4_bytes)]
    for start, end in itertools.pairwise(bounds):
        assert await offset_of(client, alice, url) == start
        response = await patch(client, alice, url, start, mp4_bytes[start:end])
        assert response.status_code == 204, response.text
        assert response.headers["upload-offset"] == str(end)
        assert "upload-expires" in response.headers
    video = (await client.get(f"/api/v1/videos/{upload_id}", headers=alice.headers)).json()
    assert (video["id"], video["title"], video["filename"]) == (upload_id, "Beach", "Beach day.mp4")
    assert video["size"] == len(mp4_bytes)
    assert (await client.get(video["stream_url"])).content == mp4_bytes
    assert await stored_counts(db) == (1, -(-len(mp4_bytes) // TEST_CHUNK_SIZE), 1)
    assert await db["uploads"].count_documents({}) == 0
    # The finished upload still answers where it is: complete.
    assert await offset_of(client, alice, url) == len(mp4_bytes)


async def test_creation_with_upload_stores_the_first_bytes(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    headers = alice.headers | TUS | OCTETS | {"Upload-Length": str(len(mp4_bytes))}
    created = await client.post(UPLOADS, headers=headers, content=mp4_bytes[:5000])
    assert created.status_code == 201, created.text
    assert created.headers["upload-offset"] == "5000"
    url = created.headers["location"]
    assert (await patch(client, alice, url, 5000, mp4_bytes[5000:])).status_code == 204
    stream = await client.get(f"/api/v1/videos/{url.rsplit('/', 1)[1]}", headers=alice.headers)
    assert (await client.get(stream.json()["stream_url"])).content == mp4_bytes


async def test_a_first_patch_shorter_than_the_sniffed_head_still_sniffs(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    assert (await patch(client, alice, url, 0, mp4_bytes[:10])).status_code == 204
    assert (await patch(client, alice, url, 10, mp4_bytes[10:])).status_code == 204
    assert await db["videos"].count_documents({"content_type": "video/mp4"}) == 1


async def test_a_wrong_offset_is_409_and_changes_nothing(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    await patch(client, alice, url, 0, mp4_bytes[:1000])
    for wrong in (0, 999, 1001):
        response = await patch(client, alice, url, wrong, mp4_bytes[wrong : wrong + 10])
        assert response.status_code == 409
        assert response.headers["upload-offset"] == "1000"
        assert response.headers["tus-resumable"] == "1.0.0"
    assert await offset_of(client, alice, url) == 1000


async def _chunks_of(db: Db, url: str) -> list[tuple[int, int]]:
    """(n, length) of each stored chunk of the upload at `url`, in order."""
    cursor = db["fs.chunks"].find({"files_id": ObjectId(url.rsplit("/", 1)[1])}).sort("n", 1)
    return [(chunk["n"], len(chunk["data"])) async for chunk in cursor]


def _chunks_holding(offset: int) -> list[tuple[int, int]]:
    whole, partial = divmod(offset, TEST_CHUNK_SIZE)
    return [(n, TEST_CHUNK_SIZE) for n in range(whole)] + ([(whole, partial)] if partial else [])


async def test_an_upload_let_go_of_holds_exactly_the_bytes_of_its_offset(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    """What lets a PATCH skip the cleanup of a dead request's chunks when nobody held the
    upload: each request records every chunk it stored before it lets go, cut short too."""
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    for start, end in [
        (0, 100),
        (100, 2 * TEST_CHUNK_SIZE),
        (2 * TEST_CHUNK_SIZE, 3 * TEST_CHUNK_SIZE + 5),
    ]:
        assert (await patch(client, alice, url, start, mp4_bytes[start:end])).status_code == 204
        assert await _chunks_of(db, url) == _chunks_holding(end)
    # Sent past Upload-Length: refused mid-body (413), and what it stored is counted.
    offset = 3 * TEST_CHUNK_SIZE + 5
    too_long = await patch(client, alice, url, offset, mp4_bytes[offset:] + bytes(5000))
    assert too_long.status_code == 413
    upload = await db["uploads"].find_one({})
    assert upload is not None
    assert upload["lock"] is None
    assert await _chunks_of(db, url) == _chunks_holding(upload["offset"])


async def _held_by_another_request(db: Db, url: str, lease_left: timedelta) -> None:
    upload_id = ObjectId(url.rsplit("/", 1)[1])
    until = datetime.now(UTC) + lease_left
    await db["uploads"].update_one({"_id": upload_id}, {"$set": {"lock": "x", "lock_until": until}})


async def _held_after_1000_bytes(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> str:
    """An upload with 1000 bytes stored, then held by another request for 30 s; its URL."""
    url: str = (await create(client, alice, len(mp4_bytes))).headers["location"]
    assert (await patch(client, alice, url, 0, mp4_bytes[:1000])).status_code == 204
    await _held_by_another_request(db, url, timedelta(seconds=30))
    return url


async def test_a_patch_while_another_request_holds_the_upload_is_423(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    url = await _held_after_1000_bytes(client, alice, db, mp4_bytes)
    started = time.monotonic()
    busy = await patch(client, alice, url, 1000, mp4_bytes[1000:])
    assert busy.status_code == 423
    assert busy.headers["retry-after"] == "1"
    # It waited for the upload to be let go first, as a client's next PATCH
    # does while its previous one records the offset it answered.
    assert time.monotonic() - started >= resumable.CLAIM_WAIT_SECONDS * 0.9
    assert await _chunks_of(db, url) == _chunks_holding(1000)
    # While held, the stored offset is not final: no 409 yet, whatever the offset.
    assert (await patch(client, alice, url, 7, b"x")).status_code == 423
    await db["uploads"].update_one({}, {"$set": {"lock": None, "lock_until": None}})
    assert (await patch(client, alice, url, 7, b"x")).status_code == 409  # the offset rules


async def test_a_patch_waits_for_the_upload_to_be_let_go_instead_of_423(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    url = await _held_after_1000_bytes(client, alice, db, mp4_bytes)

    async def let_go_soon() -> None:
        await asyncio.sleep(0.2)
        await db["uploads"].update_one({}, {"$set": {"lock": None, "lock_until": None}})

    letting_go = asyncio.create_task(let_go_soon())
    response = await patch(client, alice, url, 1000, mp4_bytes[1000:2000])
    await letting_go
    assert response.status_code == 204
    assert response.headers["upload-offset"] == "2000"


async def test_a_patch_takes_over_from_a_dead_request_and_drops_what_it_left(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    offset = 3 * TEST_CHUNK_SIZE + 100
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    assert (await patch(client, alice, url, 0, mp4_bytes[:offset])).status_code == 204
    # A request died holding the upload, after storing chunks it never counted:
    # its partial chunk grown past the offset, and whole chunks after it.
    file_id = ObjectId(url.rsplit("/", 1)[1])
    grown = mp4_bytes[3 * TEST_CHUNK_SIZE : offset] + b"\xff" * (TEST_CHUNK_SIZE - 100)
    await db["fs.chunks"].update_one({"files_id": file_id, "n": 3}, {"$set": {"data": grown}})
    await db["fs.chunks"].insert_many(
        [{"files_id": file_id, "n": n, "data": b"\xff" * TEST_CHUNK_SIZE} for n in (4, 5)]
    )
    await _held_by_another_request(db, url, -timedelta(seconds=1))  # its lease has run out

    response = await patch(client, alice, url, offset, mp4_bytes[offset:])
    assert response.status_code == 204, response.text
    video = await client.get(f"/api/v1/videos/{file_id}", headers=alice.headers)
    assert (await client.get(video.json()["stream_url"])).content == mp4_bytes


async def test_another_users_upload_is_404_for_every_method(
    client: httpx.AsyncClient, alice: Account, bob: Account, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    assert (await client.head(url, headers=bob.headers | TUS)).status_code == 404
    assert (await patch(client, bob, url, 0, mp4_bytes)).status_code == 404
    assert (await client.delete(url, headers=bob.headers | TUS)).status_code == 404
    assert await offset_of(client, alice, url) == 0
    assert (
        await client.head(f"{UPLOADS}/not-an-id", headers=alice.headers | TUS)
    ).status_code == 404


async def test_without_a_token_it_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(UPLOADS, headers=TUS | {"Upload-Length": "10"})
    assert response.status_code == 401
    assert response.headers["tus-resumable"] == "1.0.0"


async def test_a_file_that_is_not_a_video_is_415_and_nothing_is_kept(
    client: httpx.AsyncClient, alice: Account, db: Db
) -> None:
    url = (await create(client, alice, 100_000)).headers["location"]
    response = await patch(client, alice, url, 0, b"%PDF-1.7 " + bytes(20_000))
    assert response.status_code == 415
    assert await stored_counts(db) == (0, 0, 0)
    assert await db["uploads"].count_documents({}) == 0
    assert (await client.head(url, headers=alice.headers | TUS)).status_code == 404


async def test_an_upload_length_over_the_limit_is_413_before_anything(
    client: httpx.AsyncClient, alice: Account, db: Db
) -> None:
    response = await create(client, alice, 2 * 1024**3 + 1)
    assert response.status_code == 413
    assert await db["uploads"].count_documents({}) == 0


async def test_bytes_past_the_upload_length_are_413_and_the_rest_kept(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, 20_000)).headers["location"]
    assert (await patch(client, alice, url, 0, mp4_bytes[:30_000])).status_code == 413
    assert await offset_of(client, alice, url) <= 20_000


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "10"}, 412),  # no Tus-Resumable
        (TUS | {"Upload-Length": "ten"}, 400),
        (TUS, 400),
        (TUS | {"Upload-Length": "10", "Upload-Metadata": "filename !!!"}, 400),
        (TUS | {"Upload-Length": "10", "Upload-Metadata": metadata(title="x" * 201)}, 422),
        (TUS | {"Upload-Length": "0"}, 415),
    ],
    ids=["no-version", "bad-length", "no-length", "bad-metadata", "long-title", "empty"],
)
async def test_bad_creation_requests_are_refused_with_nothing_stored(
    client: httpx.AsyncClient, alice: Account, db: Db, headers: dict[str, str], status: int
) -> None:
    response = await client.post(UPLOADS, headers=alice.headers | headers)
    assert response.status_code == status, response.text
    assert response.headers["tus-resumable"] == "1.0.0"
    assert await db["uploads"].count_documents({}) == 0
    if status == 412:
        assert response.headers["tus-version"] == "1.0.0"


async def test_a_patch_must_be_an_offset_octet_stream(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    headers = alice.headers | TUS | {"Upload-Offset": "0", "Content-Type": "video/mp4"}
    assert (await client.patch(url, headers=headers, content=mp4_bytes)).status_code == 415
    assert await offset_of(client, alice, url) == 0


async def test_delete_cancels_and_removes_every_byte(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    url = (await create(client, alice, len(mp4_bytes))).headers["location"]
    await patch(client, alice, url, 0, mp4_bytes[:20_000])
    assert await db["fs.chunks"].count_documents({}) > 0
    response = await client.delete(url, headers=alice.headers | TUS)
    assert response.status_code == 204
    assert await stored_counts(db) == (0, 0, 0)
    assert await db["uploads"].count_documents({}) == 0
    assert (await client.head(url, headers=alice.headers | TUS)).status_code == 404


class TestExpiry:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"upload_expiry_seconds": 60}

    async def test_an_expired_upload_is_gone_and_swept(
        self,
        client: httpx.AsyncClient,
        alice: Account,
        db: Db,
        storage: FileStorage,
        mp4_bytes: bytes,
    ) -> None:
        url = (await create(client, alice, len(mp4_bytes))).headers["location"]
        await patch(client, alice, url, 0, mp4_bytes[:20_000])
        live = await sweep(storage, timedelta(hours=1))
        assert live.expired_uploads == 0
        assert await db["fs.chunks"].count_documents({}) > 0
        later = datetime.now(UTC) + timedelta(seconds=61)
        report = await sweep(storage, timedelta(hours=1), later)
        assert report.expired_uploads == 1
        assert await stored_counts(db) == (0, 0, 0)
        assert await db["uploads"].count_documents({}) == 0
        assert (await client.head(url, headers=alice.headers | TUS)).status_code == 404

    async def test_an_upload_is_not_swept_as_an_orphan_while_it_lives(
        self,
        client: httpx.AsyncClient,
        alice: Account,
        db: Db,
        storage: FileStorage,
        mp4_bytes: bytes,
    ) -> None:
        url = (await create(client, alice, len(mp4_bytes))).headers["location"]
        await patch(client, alice, url, 0, mp4_bytes[:20_000])
        # Past the orphan grace period (its chunks look abandoned), but not expired.
        report = await sweep(
            storage, timedelta(seconds=0), datetime.now(UTC) + timedelta(seconds=30)
        )
        assert report.orphan_chunk_groups == 0
        assert await offset_of(client, alice, url) == 20_000


class TestQuota:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"storage_quota_bytes": 50_000}

    async def test_an_upload_length_beyond_the_quota_is_413_before_anything(
        self, client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
    ) -> None:
        too_big = await create(client, alice, 50_001)
        assert too_big.status_code == 413
        assert "quota" in too_big.json()["detail"]
        url = (await create(client, alice, len(mp4_bytes))).headers["location"]
        assert (await patch(client, alice, url, 0, mp4_bytes)).status_code == 204
        refused = await create(client, alice, 50_000 - len(mp4_bytes) + 1)
        assert refused.status_code == 413
        assert "quota" in refused.json()["detail"]
        assert await db["uploads"].count_documents({}) == 0
